namespace Tessera.Server.Hosting;

/// <summary>
/// The API's notion of now: whole Unix seconds from the injected <see cref="TimeProvider"/>, moved by the offset of
/// the metadata store's clock (<see cref="StoreClockSynchronizer"/>), so that nodes sharing a store agree on the time
/// that decides expiry whatever their own clocks say.
/// </summary>
public sealed class UploadClock(TimeProvider timeProvider)
{
    private long _offsetTicks;

    public long Now => UtcNow.ToUnixTimeSeconds();

    public DateTimeOffset UtcNow => timeProvider.GetUtcNow() + Offset;

    /// <summary>How far the metadata store's clock is ahead of this machine's (negative when behind).</summary>
    public TimeSpan Offset
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
        internal set => Interlocked.Exchange(ref _offsetTicks, value.Ticks);
    }
}
