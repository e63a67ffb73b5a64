using Tessera.Server.Reclaiming;
using Tessera.Server.Scrubbing;
using Tessera.Storage;

namespace Tessera.Server.Health;

/// <summary>
/// The blob store can be written to. Records whose bytes the last reconciliation did not find, and blobs the last scrub
/// round on this node found damaged, are counted beside its state without making it unhealthy: the store works, the
/// damage is in the data, and taking the node out of service would mend nothing.
/// </summary>
internal sealed class BlobsHealthCheck(IBlobStore blobs, MissingBlobs missingBlobs, ScrubFindings scrubFindings, ILogger<BlobsHealthCheck> logger)
    : StoreHealthCheck(StoreKind.Blobs, logger)
{
    public const string Name = "blobs";

    protected override Task ProbeAsync(CancellationToken cancellationToken) => blobs.CheckHealthAsync(cancellationToken);

    protected override IReadOnlyDictionary<string, object> Details()
    {
        var details = new Dictionary<string, object>();
        if (missingBlobs.Last is > 0 and var missing)
        {
            details[HealthReportWriter.MissingBlobs] = missing;
        }

        if (scrubFindings.LastDamaged is > 0 and var damaged)
        {
            details[HealthReportWriter.DamagedBlobs] = damaged;
        }

        return details.Count == 0 ? HealthReportWriter.NoDetails : details;
    }
}
