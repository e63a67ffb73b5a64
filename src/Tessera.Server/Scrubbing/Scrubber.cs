using System.Buffers;
using Tessera.Contracts;
using Tessera.Server.Telemetry;
using Tessera.Storage;

namespace Tessera.Server.Scrubbing;

/// <summary>
/// One pass over every blob that a file or a pending upload names: reads it through the blob store, within a byte
/// rate, and compares its length and CRC32C with those recorded when it was stored. Blobs stored before checksums were
/// kept are counted, not read.
/// </summary>
internal sealed class Scrubber(IMetadataStore metadata, IBlobStore blobs, TesseraMetrics metrics, ILogger<Scrubber> logger)
{
    private const int PageSize = 500;

    public async Task<ScrubSummary> CheckEveryBlobAsync(long maxBytesPerSecond, CancellationToken cancellationToken)
    {
        using var limiter = new ReadRateLimiter(maxBytesPerSecond);
        var buffer = ArrayPool<byte>.Shared.Rent(limiter.ReadBytes);
        try
        {
            var summary = ScrubSummary.None;
            string? previousKey = null;
            IReadOnlyList<RecordedBlob> page;
            do
            {
                page = await metadata.ListRecordedBlobsAsync(previousKey, PageSize, cancellationToken);
                foreach (var blob in page)
                {
                    summary = await CheckAsync(blob, previousKey, summary, limiter, buffer.AsMemory(0, limiter.ReadBytes), cancellationToken);
                    previousKey = blob.BlobKey;
                }
            }
            while (page.Count == PageSize);

            return summary;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<ScrubSummary> CheckAsync(
        RecordedBlob blob, string? previousKey, ScrubSummary summary, ReadRateLimiter limiter, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (blob.Crc32C is not { } recorded)
        {
            return summary with { Unchecked = summary.Unchecked + 1 };
        }

        Stream content;
        try
        {
            content = await blobs.OpenReadAsync(blob.BlobKey, 0, cancellationToken);
        }
        catch (BlobNotFoundException)
        {
            if (!await IsStillRecordedAsync(blob, previousKey, cancellationToken))
            {
                return summary;
            }

            logger.ScrubFoundBlobMissing(blob.BlobKey, OwnerName(blob), blob.OwnerId);
            return summary with { Missing = summary.Missing + 1 };
        }

        var crc = Crc32C.Create();
        var bytes = 0L;
        await using (content)
        {
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                crc.Append(buffer.Span[..read]);
                bytes += read;
                metrics.ScrubRead(read);
                // Paid for once read, so a short read or a blob's end costs only what it returned.
                await limiter.WaitToReadAsync(read, cancellationToken);
            }
        }

        var actual = crc.GetCurrentHashAsUInt32();
        var damaged = actual != recorded || bytes != blob.Bytes;
        metrics.ScrubChecked(damaged);
        if (damaged)
        {
            logger.ScrubFoundDamage(
                blob.BlobKey, OwnerName(blob), blob.OwnerId, bytes, Crc32C.ToHeaderValue(actual), blob.Bytes, Crc32C.ToHeaderValue(recorded));
        }

        return summary with
        {
            Checked = summary.Checked + 1,
            Bytes = summary.Bytes + bytes,
            Damaged = summary.Damaged + (damaged ? 1 : 0),
        };
    }

    /// <summary>
    /// Whether the blob is still named by a file or an upload: one deleted since the page was listed has its blob deleted
    /// too, which is no damage. The first key recorded after the previous one is this one exactly when it still is.
    /// </summary>
    private async Task<bool> IsStillRecordedAsync(RecordedBlob blob, string? previousKey, CancellationToken cancellationToken) =>
        await metadata.ListRecordedBlobsAsync(previousKey, 1, cancellationToken) is [var next] && next.BlobKey == blob.BlobKey;

    private static string OwnerName(RecordedBlob blob) => blob.Owner == BlobOwner.File ? "file" : "upload";
}
