using Microsoft.Extensions.Options;
using Tessera.Server.Hosting;
using Tessera.Server.Telemetry;
using Tessera.Storage;

namespace Tessera.Server.Reclaiming;

/// <summary>
/// Frees bytes that nothing needs any more: expires overdue uploads and files, deletes the blobs on the garbage list,
/// and reconciles the blob store with the metadata (at start-up and now and then), so that no orphan outlives a
/// crash for ever. A failed round is logged and the next one runs as usual.
/// </summary>
internal sealed class StorageReclaimer(
    IMetadataStore metadata, IBlobStore blobs, ReclaimSignal signal, UploadClock clock, IOptions<TesseraOptions> options,
    MetadataReadiness readiness, MissingBlobs missingBlobs, TesseraMetrics metrics, ILogger<StorageReclaimer> logger)
    : BackgroundService
{
    private const int GarbageBatch = 500;

    private readonly SweeperOptions _options = options.Value.Sweeper;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(_options.IntervalSeconds);
        var sweepsSinceReconcile = _options.ReconcileEverySweeps;
        var nextSweep = DateTimeOffset.MinValue;
        try
        {
            // Not before the server is listening and the schema is migrated: a server that fails to start touches no blob.
            await readiness.WaitAsync(stoppingToken);
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested || !readiness.IsReady)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (clock.UtcNow >= nextSweep)
                {
                    metrics.SweepRan();
                    await ExpireOverdueAsync(stoppingToken);
                    if (++sweepsSinceReconcile >= _options.ReconcileEverySweeps)
                    {
                        await ReconcileAsync(stoppingToken);
                        sweepsSinceReconcile = 0;
                    }

                    nextSweep = clock.UtcNow + interval;
                }

                await DeleteGarbageAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.SweepFailed(exception);
            }

            try
            {
                await signal.WaitAsync(interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Marks overdue uploads expired and drops expired files; their blobs join the garbage.</summary>
    internal async Task ExpireOverdueAsync(CancellationToken cancellationToken)
    {
        var expired = await metadata.ExpireOverdueAsync(clock.Now, cancellationToken);
        if (expired.Count > 0)
        {
            logger.Expired(expired.Uploads, expired.Files);
        }
    }

    /// <summary>Deletes the blobs on the garbage list, then forgets them.</summary>
    internal async Task DeleteGarbageAsync(CancellationToken cancellationToken)
    {
        while (await metadata.ListGarbageAsync(GarbageBatch, cancellationToken) is { Count: > 0 } garbage)
        {
            foreach (var key in garbage)
            {
                await blobs.DeleteAsync(key, cancellationToken);
            }

            var bytes = await metadata.ForgetGarbageAsync(garbage, cancellationToken);
            metrics.Reclaimed(garbage.Count, bytes);
            logger.GarbageDeleted(garbage.Count);
            if (garbage.Count < GarbageBatch)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Deletes blobs that no metadata names and unfinished writes, once they are older than the grace period (a part
    /// is durable on disk a moment before its row is written), and reports records whose blob is missing.
    /// </summary>
    internal async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.UtcNow - TimeSpan.FromSeconds(_options.OrphanGraceSeconds);
        var referencedBefore = await metadata.ListReferencedBlobKeysAsync(cancellationToken);
        var stored = new HashSet<string>(StringComparer.Ordinal);
        var orphans = 0;
        var orphanBytes = 0L;
        await foreach (var blob in blobs.ListAsync(cancellationToken))
        {
            stored.Add(blob.Key);
            if (blob.LastWritten < cutoff && !await metadata.IsBlobReferencedAsync(blob.Key, cancellationToken))
            {
                await blobs.DeleteAsync(blob.Key, cancellationToken);
                orphans++;
                orphanBytes += blob.Bytes;
            }
        }

        var unfinished = await blobs.DeleteUnfinishedAsync(cutoff, cancellationToken);
        metrics.Reclaimed(orphans + unfinished, orphanBytes);
        logger.Reconciled(orphans, unfinished);
        await FindRecordsWithoutBlobsAsync(referencedBefore, stored, cancellationToken);
    }

    /// <summary>
    /// A blob is written before the record that names it, and a key named before and after the listing was named
    /// throughout it (a key is never named again once freed), so such a key missing from the listing is truly gone.
    /// </summary>
    private async Task FindRecordsWithoutBlobsAsync(IReadOnlyCollection<string> referencedBefore, HashSet<string> stored, CancellationToken cancellationToken)
    {
        var candidates = referencedBefore.Where(key => !stored.Contains(key)).ToHashSet(StringComparer.Ordinal);
        if (candidates.Count > 0)
        {
            candidates.IntersectWith(await metadata.ListReferencedBlobKeysAsync(cancellationToken));
        }

        missingBlobs.Record(candidates);
        if (candidates.Count > 0)
        {
            logger.RecordsWithoutBlobs(candidates.Count, string.Join(", ", candidates.Order(StringComparer.Ordinal).Take(MissingBlobs.Logged)));
        }
    }
}
