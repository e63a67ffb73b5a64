using Tessera.Server.Reclaiming;
using Tessera.Storage;

namespace Tessera.Server.Health;

/// <summary>
/// The blob store can be written to. Records whose bytes the last reconciliation did not find are counted beside its
/// state without making it unhealthy: the store works, the damage is in the data, and every node would report it alike.
/// </summary>
internal sealed class BlobsHealthCheck(IBlobStore blobs, MissingBlobs missingBlobs, ILogger<BlobsHealthCheck> logger)
    : StoreHealthCheck(StoreKind.Blobs, logger)
{
    public const string Name = "blobs";

    protected override Task ProbeAsync(CancellationToken cancellationToken) => blobs.CheckHealthAsync(cancellationToken);

    protected override IReadOnlyDictionary<string, object> Details()
    {
        var missing = missingBlobs.Last;
        return missing == 0
            ? HealthReportWriter.NoDetails
            : new Dictionary<string, object> { [HealthReportWriter.MissingBlobs] = missing };
    }
}
