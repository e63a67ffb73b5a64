using Tessera.Storage;

namespace Tessera.Server.Hosting;

/// <summary>
/// Keeps <see cref="UploadClock.Offset"/> equal to how far the metadata store's clock is from this machine's: read
/// once the store is ready (before requests are let in) and every minute after. A read that fails keeps the last
/// offset and is logged as a warning.
/// </summary>
/// <remarks>
/// The offset is measured against the machine's real clock, not the <see cref="TimeProvider"/> the API clock was
/// given, so a test that injects a fake time keeps full control of it (on one machine the offset is nought).
/// </remarks>
internal sealed class StoreClockSynchronizer(
    IMetadataStore metadata, UploadClock clock, MetadataReadiness readiness, ILogger<StoreClockSynchronizer> logger)
    : BackgroundService
{
    internal static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(60);

    /// <summary>Reads the store's clock once and sets the offset; a failure is logged and keeps the last one.</summary>
    public async Task SynchronizeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var before = TimeProvider.System.GetUtcNow();
            var storeTime = await metadata.ReadClockAsync(cancellationToken);
            var after = TimeProvider.System.GetUtcNow();
            var offset = Measure(before, storeTime, after);
            if (offset != TimeSpan.Zero && offset != clock.Offset)
            {
                logger.StoreClockOffset(offset.TotalMilliseconds);
            }

            clock.Offset = offset;
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested && exception is not OperationCanceledException)
        {
            logger.StoreClockUnread(clock.Offset.TotalMilliseconds, exception.Message);
        }
    }

    /// <summary>
    /// The store read its clock at some moment between <paramref name="before"/> and <paramref name="after"/>; the
    /// middle is the best guess. A difference within half the round trip is no difference that can be measured, so
    /// it counts as none (a store on this machine never moves the API's seconds).
    /// </summary>
    internal static TimeSpan Measure(DateTimeOffset before, DateTimeOffset storeTime, DateTimeOffset after)
    {
        var halfRoundTrip = (after - before) / 2;
        var offset = storeTime - (before + halfRoundTrip);
        return offset.Duration() <= halfRoundTrip ? TimeSpan.Zero : offset;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // The first reading is taken by MetadataInitializer, before requests are let in.
            await readiness.WaitAsync(stoppingToken);
            using var timer = new PeriodicTimer(RefreshInterval, TimeProvider.System);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await SynchronizeAsync(stoppingToken);
            }
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested || !readiness.IsReady)
        {
            // Stopping, or the store never became ready (the start-up failure says why).
        }
    }
}
