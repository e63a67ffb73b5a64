using Tessera.Domain;

namespace Tessera.Server.Http;

/// <summary>
/// "Authorization: Bearer KEY" decides the caller's project (docs/api.md section 5). Runs for the endpoints marked
/// with <see cref="RequiresProjectKey"/> (every API endpoint; not health, nor a path no route serves), before the rate
/// limiter, which limits each project apart. A request without a right key counts against its address's failed
/// authentications (<see cref="FailedAuthenticationLimiter"/>). A handler reads the project with <see cref="CallerProjectExtensions.CallerProject"/>.
/// </summary>
internal sealed class ProjectAuthenticationMiddleware(RequestDelegate next, ProjectKeys keys, FailedAuthenticationLimiter failures)
{
    public Task InvokeAsync(HttpContext http)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<RequiresProjectKey>() is null)
        {
            return next(http);
        }

        var key = BearerToken(http.Request.Headers.Authorization.ToString()) ?? throw failures.Refuse(http, ApiErrors.MissingApiKey());
        var project = keys.FindProject(key) ?? throw failures.Refuse(http, ApiErrors.IncorrectApiKey(key));

        var headerProject = http.Request.Headers["OpenAI-Project"].ToString();
        if (!keys.IsOpenMode && headerProject.Length > 0 && headerProject != project)
        {
            throw ApiErrors.ProjectMismatch(headerProject);
        }

        http.Features.Set(new CallerProjectFeature(project));
        return next(http);
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

/// <summary>Endpoint metadata: the endpoint needs an API key, which decides its project.</summary>
internal sealed class RequiresProjectKey
{
    public static readonly RequiresProjectKey Instance = new();
}

internal sealed record CallerProjectFeature(string Project);

internal static class CallerProjectExtensions
{
    /// <summary>The project of the request's API key; set by <see cref="ProjectAuthenticationMiddleware"/>.</summary>
    public static string CallerProject(this HttpContext http) =>
        http.Features.Get<CallerProjectFeature>()?.Project
        ?? throw new InvalidOperationException("The endpoint runs without RequiresProjectKey.");

    /// <summary>The project of the request's API key, or null on an endpoint that needs none.</summary>
    public static string? CallerProjectOrNull(this HttpContext http) => http.Features.Get<CallerProjectFeature>()?.Project;
}
