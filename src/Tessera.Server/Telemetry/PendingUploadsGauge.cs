using System.Diagnostics;
using System.Diagnostics.Metrics;
using Tessera.Storage;

namespace Tessera.Server.Telemetry;

/// <summary>
/// The pending uploads and the bytes their parts hold, read from the metadata store at most every few seconds and
/// only while something collects metrics: a scrape reads the cached figures, refreshing them first when stale.
/// </summary>
public sealed class PendingUploadsGauge(IServiceProvider services, ILogger<PendingUploadsGauge> logger)
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(5);

    // A collection waits this long for a refresh; a store slower than that gives the previous figures this time.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private PendingUploadsSummary _last = new(0, 0);
    private long _refreshedAt;
    private Task? _refresh;

    public Measurement<long> ObserveCount() => new(Current().Uploads);

    public Measurement<long> ObserveBytes() => new(Current().Bytes);

    private PendingUploadsSummary Current()
    {
        Task? refresh;
        lock (_lock)
        {
            if (_refresh is null && (_refreshedAt == 0 || Stopwatch.GetElapsedTime(_refreshedAt) > Freshness))
            {
                _refresh = RefreshAsync();
            }

            refresh = _refresh;
        }

        // Observable instruments are read synchronously; RefreshAsync never throws.
        refresh?.Wait(Patience);
        return Volatile.Read(ref _last);
    }

    private async Task RefreshAsync()
    {
        await Task.Yield();
        try
        {
            // Resolved here, not injected: the metadata store's decorator depends on the metrics that depend on this.
            var metadata = services.GetRequiredService<IMetadataStore>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            Volatile.Write(ref _last, await metadata.SummarizePendingUploadsAsync(timeout.Token));
        }
        catch (Exception exception)
        {
            logger.PendingUploadsUnreadable(exception.GetType().Name, exception.Message);
        }
        finally
        {
            lock (_lock)
            {
                _refreshedAt = Stopwatch.GetTimestamp();
                _refresh = null;
            }
        }
    }
}
