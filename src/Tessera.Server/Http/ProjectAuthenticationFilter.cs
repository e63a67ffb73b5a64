using Tessera.Domain;

namespace Tessera.Server.Http;

/// <summary>
/// "Authorization: Bearer KEY" decides the caller's project (docs/api.md section 5). Every API endpoint runs behind it;
/// a handler reads the project with <see cref="CallerProjectExtensions.CallerProject"/>.
/// </summary>
internal sealed class ProjectAuthenticationFilter(ProjectKeys keys) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = BearerToken(http.Request.Headers.Authorization.ToString()) ?? throw ApiErrors.MissingApiKey();
        var project = keys.FindProject(key) ?? throw ApiErrors.IncorrectApiKey(key);

        var headerProject = http.Request.Headers["OpenAI-Project"].ToString();
        if (!keys.IsOpenMode && headerProject.Length > 0 && headerProject != project)
        {
            throw ApiErrors.ProjectMismatch(headerProject);
        }

        http.Features.Set(new CallerProjectFeature(project));
        return next(context);
    }

    private static string? BearerToken(string authorization)
    {
        const string Scheme = "Bearer ";
        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = authorization[Scheme.Length..].Trim();
        return token.Length == 0 ? null : token;
    }
}

internal sealed record CallerProjectFeature(string Project);

internal static class CallerProjectExtensions
{
    /// <summary>The project of the request's API key; set by <see cref="ProjectAuthenticationFilter"/>.</summary>
    public static string CallerProject(this HttpContext http) =>
        http.Features.Get<CallerProjectFeature>()?.Project
        ?? throw new InvalidOperationException("The endpoint runs outside ProjectAuthenticationFilter.");
}
