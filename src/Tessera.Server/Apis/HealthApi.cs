using System.Text.Json.Serialization;
using Tessera.Server.Http;
using Tessera.Server.Reclaiming;
using Tessera.Storage;

namespace Tessera.Server.Apis;

/// <summary>
/// <c>GET /healthz</c>: 200 when the metadata store and the blob store can both be used, 503 when either cannot; the
/// body names each store and its state, and the blob store's lists records whose bytes the last reconciliation did not
/// find (still 200: the store works, the damage is in the data, and every node would report it alike). Needs no key.
/// </summary>
public static class HealthApi
{
    public const string Ok = "ok";
    public const string Unavailable = "unavailable";

    /// <summary>A store that has not answered by then counts as unavailable: a health check must not hang.</summary>
    internal static readonly TimeSpan CheckDeadline = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", CheckHealthAsync);
        return app;
    }

    internal static async Task<IResult> CheckHealthAsync(
        HttpContext http, IMetadataStore metadata, IBlobStore blobs, MissingBlobs missingBlobs, ILogger<IMetadataStore> logger)
    {
        var metadataCheck = CheckAsync(StoreKind.Metadata, metadata.CheckHealthAsync, logger, http.RequestAborted);
        var blobsCheck = CheckAsync(StoreKind.Blobs, blobs.CheckHealthAsync, logger, http.RequestAborted);
        var missing = missingBlobs.Last;
        var checks = new Dictionary<string, DependencyHealth>
        {
            ["metadata"] = await metadataCheck,
            ["blobs"] = missing.Count == 0 ? await blobsCheck : await blobsCheck with { MissingBlobs = missing.Count, MissingExamples = missing.Examples },
        };
        var healthy = checks.Values.All(check => check.Status == Ok);
        return TypedResults.Json(new HealthReport(healthy ? Ok : Unavailable, checks),
            statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<DependencyHealth> CheckAsync(StoreKind store, Func<CancellationToken, Task> check, ILogger logger, CancellationToken requestAborted)
    {
        var name = ErrorEnvelopeMiddleware.StoreName(store);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        deadline.CancelAfter(CheckDeadline);
        try
        {
            // WaitAsync as well: a store that ignores its token must not hold the answer either.
            await check(deadline.Token).WaitAsync(deadline.Token);
            return new DependencyHealth(Ok);
        }
        catch (StorageException failure)
        {
            logger.Unhealthy(name, failure.Message);
            return new DependencyHealth(Unavailable, failure.Message);
        }
        catch (OperationCanceledException) when (!requestAborted.IsCancellationRequested)
        {
            var reason = $"The {name} store did not answer within {CheckDeadline.TotalSeconds:0} s.";
            logger.Unhealthy(name, reason);
            return new DependencyHealth(Unavailable, reason);
        }
        catch (Exception exception) when (!requestAborted.IsCancellationRequested)
        {
            logger.HealthCheckFailed(exception, name);
            return new DependencyHealth(Unavailable, $"The {name} store failed its check unexpectedly; the server's log says why.");
        }
    }

    /// <summary>The body of <c>GET /healthz</c>.</summary>
    internal sealed record HealthReport(string Status, IReadOnlyDictionary<string, DependencyHealth> Checks);

    /// <summary>One dependency's state; <see cref="Error"/> says why it is unavailable.</summary>
    internal sealed record DependencyHealth(
        string Status,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null)
    {
        /// <summary>Records whose blob the last reconciliation did not find.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public int? MissingBlobs { get; init; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public IReadOnlyList<string>? MissingExamples { get; init; }
    }
}
