using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Tessera.Server.Telemetry;

/// <summary>
/// What an operator watches, on the <c>Tessera.Server</c> meter. Recording into an instrument nobody listens to costs
/// a branch, so the call sites record unconditionally. Names follow the OpenTelemetry semantic conventions (a
/// Prometheus scrape shows <c>tessera.parts.stored</c> as <c>tessera_parts_stored_total</c>).
/// </summary>
public sealed class TesseraMetrics
{
    // The semantic conventions' boundaries for durations in seconds: the SDK's own default suits milliseconds.
    private static readonly IReadOnlyList<double> SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60];

    private readonly Counter<long> _ingested;
    private readonly Counter<long> _served;
    private readonly Counter<long> _partsStored;
    private readonly Counter<long> _partsRefused;
    private readonly Counter<long> _uploadsEnded;
    private readonly Histogram<double> _completeDuration;
    private readonly Counter<long> _sweeps;
    private readonly Counter<long> _reclaimedBytes;
    private readonly Counter<long> _reclaimedBlobs;
    private readonly Histogram<double> _storeDuration;
    private readonly Counter<long> _scrubRounds;
    private readonly Counter<long> _scrubbedBytes;
    private readonly Counter<long> _scrubbedBlobs;
    private readonly Counter<long> _scrubDamaged;

    public TesseraMetrics(IMeterFactory meterFactory, PendingUploadsGauge pending)
    {
        var meter = meterFactory.Create(TesseraTelemetry.Name);
        _ingested = meter.CreateCounter<long>("tessera.ingested", "By", "Bytes of parts stored.");
        _served = meter.CreateCounter<long>("tessera.served", "By", "Bytes of file content sent to clients.");
        _partsStored = meter.CreateCounter<long>("tessera.parts.stored", "{part}", "Parts stored.");
        _partsRefused = meter.CreateCounter<long>("tessera.parts.refused", "{part}",
            "Parts refused, by error.type: too_large, bad_request, not_found, conflict, quota_exceeded, storage_full, unavailable, client_aborted, rate_limited, unauthorized, server_error.");
        _uploadsEnded = meter.CreateCounter<long>("tessera.uploads.ended", "{upload}", "Uploads that ended, by tessera.upload.outcome: completed, cancelled, expired.");
        _completeDuration = meter.CreateHistogram("tessera.upload.complete.duration", "s", "How long a successful complete took.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _sweeps = meter.CreateCounter<long>("tessera.sweeper.rounds", "{round}", "Sweeper rounds run (expiry and garbage deletion).");
        _reclaimedBytes = meter.CreateCounter<long>("tessera.sweeper.reclaimed", "By", "Bytes the sweeper freed: garbage and orphan blobs (unfinished writes are counted in blobs only).");
        _reclaimedBlobs = meter.CreateCounter<long>("tessera.sweeper.reclaimed.blobs", "{blob}", "Blobs the sweeper deleted: garbage, orphans and unfinished writes.");
        _storeDuration = meter.CreateHistogram("tessera.store.operation.duration", "s", "How long a metadata or blob store call took, by tessera.store and tessera.operation.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _scrubRounds = meter.CreateCounter<long>("tessera.scrub.rounds", "{round}", "Scrub rounds this node finished.");
        _scrubbedBytes = meter.CreateCounter<long>("tessera.scrub.checked", "By", "Bytes the scrub read back and compared with their recorded CRC32C.");
        _scrubbedBlobs = meter.CreateCounter<long>("tessera.scrub.checked.blobs", "{blob}", "Blobs the scrub read back and compared with their recorded CRC32C.");
        _scrubDamaged = meter.CreateCounter<long>("tessera.scrub.damaged.blobs", "{blob}", "Blobs the scrub found damaged: their bytes no longer have the CRC32C recorded when they were stored.");
        // Not "...pending.count": Prometheus reads a _count suffix as part of a histogram, and promtool flags it.
        meter.CreateObservableUpDownCounter("tessera.uploads.pending", pending.ObserveCount, "{upload}", "Pending uploads in the metadata store (every node reports the same).");
        meter.CreateObservableUpDownCounter("tessera.uploads.pending.size", pending.ObserveBytes, "By", "Bytes held by the parts of pending uploads (every node reports the same).");
    }

    public bool StoreDurationEnabled => _storeDuration.Enabled;

    public void PartStored(long bytes)
    {
        _partsStored.Add(1);
        _ingested.Add(bytes);
    }

    public void PartRefused(string reason) => _partsRefused.Add(1, new KeyValuePair<string, object?>(TesseraTelemetry.ReasonAttribute, reason));

    public void ContentServed(long bytes) => _served.Add(bytes);

    public void UploadEnded(string outcome, long count = 1) => _uploadsEnded.Add(count, new KeyValuePair<string, object?>(TesseraTelemetry.OutcomeAttribute, outcome));

    public void CompleteTook(TimeSpan elapsed) => _completeDuration.Record(elapsed.TotalSeconds);

    public void SweepRan() => _sweeps.Add(1);

    public void Reclaimed(long blobs, long bytes)
    {
        _reclaimedBlobs.Add(blobs);
        _reclaimedBytes.Add(bytes);
    }

    public void ScrubRead(long bytes) => _scrubbedBytes.Add(bytes);

    public void ScrubChecked(bool damaged)
    {
        _scrubbedBlobs.Add(1);
        if (damaged)
        {
            _scrubDamaged.Add(1);
        }
    }

    public void ScrubRoundFinished() => _scrubRounds.Add(1);

    public void StoreCallTook(string store, string operation, TimeSpan elapsed, string? errorType)
    {
        var tags = new TagList
        {
            { TesseraTelemetry.StoreAttribute, store },
            { TesseraTelemetry.OperationAttribute, operation },
        };
        if (errorType is not null)
        {
            tags.Add(TesseraTelemetry.ReasonAttribute, errorType);
        }

        _storeDuration.Record(elapsed.TotalSeconds, tags);
    }
}
