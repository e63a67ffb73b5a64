using System.Diagnostics;
using Microsoft.Extensions.Options;
using Tessera.Server.Hosting;
using Tessera.Server.Telemetry;
using Tessera.Storage;

namespace Tessera.Server.Scrubbing;

/// <summary>
/// Runs a scrub round under the cluster's scrub lease, so that of the nodes sharing a metadata store one scrubs at a
/// time, and reports what it found (log, metrics, <see cref="ScrubFindings"/> for <c>/healthz</c>). The schedule
/// (<see cref="ScrubService"/>) and the <c>scrub</c> command both come through here.
/// </summary>
internal sealed class ScrubRounds(
    IMetadataStore metadata, Scrubber scrubber, ScrubFindings findings, TesseraMetrics metrics, IOptions<TesseraOptions> options, ILogger<ScrubRounds> logger)
{
    private readonly long _maxBytesPerSecond = options.Value.Scrub.MaxBytesPerSecond;

    // Names this node in the lease row; unique per server, even for two servers in one process.
    private readonly string _holder = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>
    /// Runs one round if this node can take the scrub lease. Null when another node holds it, or when this node lost it
    /// before the round ended (the log says which); a round's partial findings are then dropped.
    /// </summary>
    public async Task<ScrubSummary?> TryRunAsync(CancellationToken cancellationToken)
    {
        await using var lease = await ScrubLease.TryTakeAsync(metadata, _holder, logger, cancellationToken);
        if (lease is null)
        {
            logger.ScrubRoundSkipped();
            return null;
        }

        using var leaseHeld = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Lost);
        logger.ScrubRoundStarted(_maxBytesPerSecond);
        var started = Stopwatch.GetTimestamp();
        ScrubSummary summary;
        try
        {
            summary = await scrubber.CheckEveryBlobAsync(_maxBytesPerSecond, leaseHeld.Token);
        }
        catch (OperationCanceledException) when (lease.Lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        findings.Record(summary);
        metrics.ScrubRoundFinished();
        logger.ScrubRoundFinished(
            Stopwatch.GetElapsedTime(started).TotalSeconds, summary.Checked, summary.Bytes, summary.Damaged, summary.Missing, summary.Unchecked);
        return summary;
    }
}
