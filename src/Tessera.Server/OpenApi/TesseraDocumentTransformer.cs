using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tessera.Server.OpenApi;

/// <summary>
/// The document as a whole: its title, OpenAI's layout of paths below a <c>/v1</c> server (with the unprefixed one
/// beside it, since Tessera serves both), OpenAI's path parameter names and its bearer security scheme.
/// </summary>
internal sealed class TesseraDocumentTransformer : IOpenApiDocumentTransformer
{
    /// <summary>OpenAI's name for the scheme, so its operations and ours read alike.</summary>
    public const string SecuritySchemeName = "ApiKeyAuth";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Tessera",
            Version = typeof(TesseraDocumentTransformer).Assembly.GetName().Version?.ToString(3) ?? "1.0.0",
            Description = "OpenAI's Uploads and Files API, self-hosted, and Tessera's extensions (GET /uploads/{upload_id}, " +
                "GET /uploads/{upload_id}/parts and what else is marked as Tessera's). Every path is served below /v1, what " +
                "clients configure as their base URL, as OpenAI's are below https://api.openai.com/v1, and also without the " +
                "prefix: the two servers below. The behaviour contract is docs/api.md.",
        };

        // Relative, so they hold behind a reverse proxy whatever host and scheme it exposes.
        document.Servers =
        [
            new OpenApiServer { Url = "/v1", Description = "The base URL clients configure." },
            new OpenApiServer { Url = "/", Description = "The same API without the prefix." },
        ];

        var paths = new OpenApiPaths();
        foreach (var (path, item) in document.Paths)
        {
            paths.Add(PathNames.SnakeCasePath(path), item);
        }

        document.Paths = paths;

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key of a configured project (docs/api.md section 5). In open mode, with no keys configured, any token is accepted.",
        };
        document.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeName, document)] = [] },
        ];
        return Task.CompletedTask;
    }
}
