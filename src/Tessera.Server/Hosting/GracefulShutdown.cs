using System.Runtime.InteropServices;

namespace Tessera.Server.Hosting;

/// <summary>
/// Runs a started server until it is asked to stop, then stops it with a bounded grace: requests in flight have up to
/// <c>Tessera:ShutdownGraceSeconds</c> to finish (the host's shutdown timeout), after which Kestrel aborts them and
/// each one deletes what it had half written. A second SIGINT or SIGTERM (Ctrl-C twice) ends the grace at once.
/// </summary>
internal sealed class GracefulShutdown : IDisposable
{
    private readonly CancellationTokenSource _atOnce = new();
    private readonly ILogger _logger;
    private readonly PosixSignalRegistration[] _signals;
    private int _signalsReceived;

    private GracefulShutdown(ILogger logger)
    {
        _logger = logger;
        // Beside the host's console lifetime, which turns the first signal into a graceful stop; it keeps doing so.
        _signals =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
    }

    /// <summary>Waits until the application is asked to stop (by a signal or by code), then stops it.</summary>
    public static async Task RunUntilStoppedAsync(WebApplication app, TimeSpan grace, CancellationToken cancellationToken)
    {
        using var shutdown = new GracefulShutdown(app.Logger);
        var stopRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (app.Lifetime.ApplicationStopping.Register(() => stopRequested.TrySetResult()))
        {
            await stopRequested.Task.WaitAsync(cancellationToken);
        }

        app.Logger.ShuttingDown(grace.TotalSeconds);
        using var cutOff = CancellationTokenSource.CreateLinkedTokenSource(shutdown._atOnce.Token, cancellationToken);
        cutOff.CancelAfter(grace);
        using var logCutOff = cutOff.Token.Register(() => app.Logger.AbortingInFlight(
            shutdown._atOnce.IsCancellationRequested ? "a second signal" : "the grace is over"));
        await app.StopAsync(cutOff.Token);
        app.Logger.ShutDown();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _signalsReceived) > 1)
        {
            _atOnce.Cancel();
        }
    }

    public void Dispose()
    {
        foreach (var signal in _signals)
        {
            signal.Dispose();
        }

        _atOnce.Dispose();
    }
}
