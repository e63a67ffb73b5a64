using System.Threading.RateLimiting;

namespace Tessera.Server.Scrubbing;

/// <summary>
/// Holds reads to a number of bytes a second: a token bucket of one second's worth, refilled every tenth of a second,
/// so a round starts with a one-second burst and then keeps to the rate.
/// </summary>
internal sealed class ReadRateLimiter : IDisposable
{
    private const int LargestRead = 1 << 20;

    private static readonly TimeSpan Refill = TimeSpan.FromMilliseconds(100);

    private readonly TokenBucketRateLimiter _bucket;

    /// <param name="bytesPerSecond">From <see cref="ScrubOptions.MinMaxBytesPerSecond"/> to <see cref="int.MaxValue"/> (validated at start-up).</param>
    public ReadRateLimiter(long bytesPerSecond)
    {
        var perSecond = (int)Math.Clamp(bytesPerSecond, ScrubOptions.MinMaxBytesPerSecond, int.MaxValue);
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond,
            TokensPerPeriod = Math.Max(1, (int)(perSecond * Refill.TotalSeconds)),
            ReplenishmentPeriod = Refill,
            QueueLimit = perSecond,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
        ReadBytes = Math.Min(LargestRead, perSecond);
    }

    /// <summary>The most one read should ask for: never more than the bucket holds.</summary>
    public int ReadBytes { get; }

    /// <summary>Waits until <paramref name="bytes"/> (at most <see cref="ReadBytes"/>) may be read.</summary>
    public async ValueTask WaitToReadAsync(int bytes, CancellationToken cancellationToken)
    {
        using var lease = await _bucket.AcquireAsync(Math.Min(bytes, ReadBytes), cancellationToken);
        if (!lease.IsAcquired)
        {
            // One reader waits at a time and never asks for more than the bucket holds, so the queue never overflows.
            throw new InvalidOperationException("The scrub's read rate limiter refused a read it should have queued.");
        }
    }

    public void Dispose() => _bucket.Dispose();
}
