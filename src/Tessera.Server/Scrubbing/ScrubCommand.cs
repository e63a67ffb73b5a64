using System.Runtime.InteropServices;
using Tessera.Server.Hosting;
using Tessera.Storage;

namespace Tessera.Server.Scrubbing;

/// <summary>
/// <c>Tessera.Server scrub [settings...]</c>: one scrub round now, whatever the schedule says, with the server's own
/// settings (its <c>appsettings.json</c>, the environment, the command line) and stores, then a summary. Like a
/// scheduled round it waits its turn for no one: while another node holds the scrub lease it checks nothing. Exit
/// codes: 0 nothing damaged, 1 a blob damaged or missing, 2 a bad setting, 3 the round could not run (a store
/// unreachable, the data folder held by a running server, another node scrubbing, stopped by a signal).
/// </summary>
public static class ScrubCommand
{
    public const string Name = "scrub";

    public const int Damaged = 1;
    public const int NotRun = 3;

    /// <summary>Whether the command line asks for the scrub rather than the server.</summary>
    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == Name;

    /// <param name="args">The command line after <c>scrub</c>: settings, as the server takes them.</param>
    /// <param name="output">Where the summary goes (standard output).</param>
    /// <param name="error">Where a failure is explained (standard error).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        using var stop = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop(stop));
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop(stop));

        WebApplication app;
        try
        {
            // The server's app, built but not started: nothing listens, and no background work runs. Settings and
            // stores fail here as they would at the server's start-up, with the same lines and exit codes.
            app = TesseraApp.Build(args);
        }
        catch (Exception exception)
        {
            return StartupFailures.Report(exception, error, StartupFailures.DetailsRequested(args));
        }

        ScrubSummary? summary;
        await using (app)
        {
            try
            {
                await app.Services.GetRequiredService<IMetadataStore>().InitializeAsync(stop.Token);
            }
            catch (Exception exception) when (StartupFailures.Explain(exception) is not null)
            {
                return StartupFailures.Report(exception, error, StartupFailures.DetailsRequested(args));
            }

            try
            {
                summary = await app.Services.GetRequiredService<ScrubRounds>().TryRunAsync(stop.Token);
            }
            catch (Exception exception) when (exception is StorageException or OperationCanceledException)
            {
                error.WriteLine(stop.IsCancellationRequested
                    ? "Tessera scrub stopped before the end of its round: nothing is reported."
                    : $"Tessera scrub failed before the end of its round: {exception.Message}");
                return NotRun;
            }
        }

        // After the app is disposed, which flushes the log lines that name each damaged blob.
        return Report(summary, output, error);
    }

    private static int Report(ScrubSummary? summary, TextWriter output, TextWriter error)
    {
        if (summary is null)
        {
            error.WriteLine("Tessera scrub checked nothing: another node is scrubbing (it holds the scrub lease). Try again when its round has ended.");
            return NotRun;
        }

        output.WriteLine(
            $"Scrub finished: {summary.Checked} blobs checked ({summary.Bytes} bytes), {summary.Damaged} damaged, {summary.Missing} missing, "
            + $"{summary.Unchecked} unchecked (stored before checksums were kept).");
        if (summary.FoundDamage)
        {
            output.WriteLine("The log lines above name each damaged or missing blob and its file or upload: restore them from a backup, or delete those files and uploads.");
            return Damaged;
        }

        return 0;
    }

    private static Action<PosixSignalContext> Stop(CancellationTokenSource stop) => context =>
    {
        context.Cancel = true;
        stop.Cancel();
    };
}
