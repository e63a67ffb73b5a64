using Microsoft.Extensions.Options;
using Tessera.Server.Hosting;

namespace Tessera.Server.Scrubbing;

/// <summary>
/// Runs a scrub round every <see cref="ScrubOptions.IntervalSeconds"/> when that is set (none by default): a node that
/// finds another scrubbing skips its turn, and a failed round is logged and the next one runs as scheduled.
/// </summary>
internal sealed class ScrubService(ScrubRounds rounds, MetadataReadiness readiness, IOptions<TesseraOptions> options, ILogger<ScrubService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var intervalSeconds = options.Value.Scrub.IntervalSeconds;
        if (intervalSeconds == 0)
        {
            return;
        }

        try
        {
            // Not before the server is listening and the schema is migrated, as the sweeper.
            await readiness.WaitAsync(stoppingToken);
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested || !readiness.IsReady)
        {
            return;
        }

        logger.ScrubScheduled(intervalSeconds);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(intervalSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await rounds.TryRunAsync(stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.ScrubRoundFailed(exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
