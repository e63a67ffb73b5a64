using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tessera.Server.OpenApi;

/// <summary>
/// Serves the OpenAPI document at <see cref="Path"/>, needing no key. ASP.NET Core's <c>MapOpenApi</c> generates the
/// document anew on every request; it never changes while the server runs (its servers are relative, not the
/// request's host), so it is generated on the first request and served from memory after that.
/// </summary>
public static class OpenApiDocumentEndpoint
{
    public const string DocumentName = "v1";
    public const string Path = "/openapi/v1.json";

    public static IEndpointRouteBuilder MapOpenApiDocument(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, GetDocumentAsync).ExcludeFromDescription();
        return app;
    }

    internal static async Task<IResult> GetDocumentAsync(HttpContext http, RenderedOpenApiDocument document) =>
        TypedResults.Bytes(await document.GetAsync(http.RequestAborted), "application/json; charset=utf-8");
}

/// <summary>The document as JSON, rendered once.</summary>
public sealed class RenderedOpenApiDocument(IServiceProvider services)
{
    private readonly Lock _lock = new();
    private Task<byte[]>? _json;

    /// <summary>The JSON; a rendering that failed is tried again on the next call rather than kept.</summary>
    public Task<byte[]> GetAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_json is null || _json.IsFaulted || _json.IsCanceled)
            {
                // Not the caller's token: the rendering is shared, so one client going away must not cancel it for all.
                _json = RenderAsync(CancellationToken.None);
            }

            return _json.WaitAsync(cancellationToken);
        }
    }

    private async Task<byte[]> RenderAsync(CancellationToken cancellationToken)
    {
        var provider = services.GetRequiredKeyedService<IOpenApiDocumentProvider>(OpenApiDocumentEndpoint.DocumentName);
        var document = await provider.GetOpenApiDocumentAsync(cancellationToken);
        using var json = new MemoryStream();
        await document.SerializeAsJsonAsync(json, OpenApiSpecVersion.OpenApi3_1, cancellationToken);
        return json.ToArray();
    }
}
