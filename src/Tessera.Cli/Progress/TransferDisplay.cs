using Spectre.Console;

namespace Tessera.Cli.Progress;

/// <summary>
/// Shows how a long transfer goes, on standard error: a live progress bar (bytes, rate, time left) when standard
/// error is a terminal, else a plain line at most once a second and one at the end, which a log keeps readable.
/// </summary>
internal static class TransferDisplay
{
    /// <summary>
    /// Runs <paramref name="work"/>, which reports the bytes done so far (of <paramref name="totalBytes"/>) through the
    /// <see cref="TransferReport"/> it is given, and shows its progress.
    /// </summary>
    public static async Task<T> RunAsync<T>(string label, long totalBytes, Func<TransferReport, Task<T>> work)
    {
        if (!Console.IsErrorRedirected)
        {
            return await RunWithBarAsync(label, totalBytes, work);
        }

        var lines = new PlainProgressLines(Console.Error, label, totalBytes);
        var result = await work(lines.Report);
        lines.Finish();
        return result;
    }

    private static Task<T> RunWithBarAsync<T>(string label, long totalBytes, Func<TransferReport, Task<T>> work)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Yes,
        });
        return console.Progress()
            .AutoClear(false)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new DownloadedColumn(),
                new TransferSpeedColumn(),
                new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(Markup.Escape(label), maxValue: Math.Max(totalBytes, 1));
                var result = await work(new BarProgress(task, label, totalBytes).Report);
                task.Value = task.MaxValue;
                return result;
            });
    }
}
