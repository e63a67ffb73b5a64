using System.Net;
using Tessera.Domain;
using Tessera.Storage;

namespace Tessera.Server.Apis;

/// <summary><c>GET /healthz</c>: 200 when the metadata store and the blob store can be used. Needs no key.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", CheckHealthAsync);
        return app;
    }

    internal static async Task<IResult> CheckHealthAsync(HttpContext http, IMetadataStore metadata, IBlobStore blobs, ILogger<IMetadataStore> logger)
    {
        try
        {
            await metadata.CheckHealthAsync(http.RequestAborted);
            await blobs.CheckHealthAsync(http.RequestAborted);
            return TypedResults.Ok(new { status = "ok" });
        }
        catch (Exception exception) when (!http.RequestAborted.IsCancellationRequested)
        {
            logger.Unhealthy(exception);
            throw new TesseraException(HttpStatusCode.ServiceUnavailable, ApiErrors.ServerError,
                "Tessera cannot use its metadata store or its data folder; the log says why.");
        }
    }
}
