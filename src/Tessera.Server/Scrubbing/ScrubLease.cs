using System.Diagnostics;
using Tessera.Storage;

namespace Tessera.Server.Scrubbing;

/// <summary>
/// The cluster-wide right to run a scrub round: a lease in the metadata store, which every node shares, taken for a
/// minute by the store's clock and renewed while the round runs, then given up. A node that dies holding it frees it
/// when the minute runs out.
/// </summary>
internal sealed class ScrubLease : IAsyncDisposable
{
    public const string Name = "scrub";

    internal static readonly TimeSpan Duration = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(15);

    // Giving the lease up is a courtesy (it lapses anyway), so it may not hold up the end of a round for long.
    private static readonly TimeSpan ReleasePatience = TimeSpan.FromSeconds(10);

    private readonly IMetadataStore _metadata;
    private readonly string _holder;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _renewing = Task.CompletedTask;

    private ScrubLease(IMetadataStore metadata, string holder, ILogger logger)
    {
        _metadata = metadata;
        _holder = holder;
        _logger = logger;
    }

    /// <summary>Cancelled when this node can no longer be sure it holds the lease: its round must stop.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>The lease, renewing itself until disposed; null when another holder has it.</summary>
    public static async Task<ScrubLease?> TryTakeAsync(IMetadataStore metadata, string holder, ILogger logger, CancellationToken cancellationToken)
    {
        if (!await metadata.TryAcquireLeaseAsync(Name, holder, Duration, cancellationToken))
        {
            return null;
        }

        var lease = new ScrubLease(metadata, holder, logger);
        lease._renewing = lease.RenewAsync();
        return lease;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _renewing;
        try
        {
            // Removes it only if still this node's, so it is safe after the lease was lost too.
            using var patience = new CancellationTokenSource(ReleasePatience);
            await _metadata.ReleaseLeaseAsync(Name, _holder, patience.Token);
        }
        catch (Exception exception) when (exception is StorageException or OperationCanceledException)
        {
            // It lapses by itself within Duration.
        }

        _stop.Dispose();
        _lost.Dispose();
    }

    /// <summary>Renews until stopped. A store that cannot be reached is tried again until the lease may have lapsed.</summary>
    private async Task RenewAsync()
    {
        var renewedAt = Stopwatch.GetTimestamp();
        using var timer = new PeriodicTimer(RenewEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    if (!await _metadata.TryAcquireLeaseAsync(Name, _holder, Duration, _stop.Token))
                    {
                        await LoseAsync("another node holds it now");
                        return;
                    }

                    renewedAt = Stopwatch.GetTimestamp();
                }
                catch (StorageException failure)
                {
                    if (Stopwatch.GetElapsedTime(renewedAt) >= Duration - RenewEvery)
                    {
                        await LoseAsync($"it could not be renewed: {failure.Message}");
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task LoseAsync(string reason)
    {
        _logger.ScrubLeaseLost(reason);
        await _lost.CancelAsync();
    }
}
