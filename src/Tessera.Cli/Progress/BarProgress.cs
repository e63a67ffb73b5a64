using Spectre.Console;

namespace Tessera.Cli.Progress;

/// <summary>
/// Moves a progress bar as a transfer reports. The bar counts the bytes sent in this run, of those left to send:
/// bytes already there would make the rate and the time left up. A part that fails is taken back from the count
/// (its bytes go again), but the bar's rate is how far its value moved over the last 30 s, so a value that went back
/// would show a negative rate ("-33.3 KiB/s"): the bar holds still until the bytes sent again pass where it was.
/// </summary>
internal sealed class BarProgress(ProgressTask task, string label, long totalBytes)
{
    private long _skipped;
    private long _shown;

    public void Report(long done, long skipped)
    {
        if (skipped != _skipped)
        {
            _skipped = skipped;
            task.MaxValue = Math.Max(totalBytes - skipped, 1);
            task.Description = Markup.Escape($"{label} ({ByteSize.Format(skipped)} already there)");
        }

        _shown = Math.Max(_shown, done - skipped);
        task.Value = _shown;
    }
}
