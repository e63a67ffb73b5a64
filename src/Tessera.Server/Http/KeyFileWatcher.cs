namespace Tessera.Server.Http;

/// <summary>
/// Reads the key files again every few seconds. Polling rather than a file system watcher: Kubernetes swaps a
/// mounted secret by renaming a symlink in the folder above the file, which a watcher of the file never sees, and
/// reading a few small files every few seconds costs nothing.
/// </summary>
internal sealed class KeyFileWatcher(ProjectKeys keys) : BackgroundService
{
    internal static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval, TimeProvider.System);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                keys.ReloadKeyFiles();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
