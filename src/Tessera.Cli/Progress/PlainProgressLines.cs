using System.Diagnostics;
using System.Globalization;

namespace Tessera.Cli.Progress;

/// <summary>Progress as plain lines (no escape codes), at most one a second, for output that is not a terminal.</summary>
internal sealed class PlainProgressLines(TextWriter writer, string label, long totalBytes)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _lastLine = Stopwatch.GetTimestamp();
    private long _done;
    private long _skipped;

    public void Report(long done, long skipped)
    {
        lock (_lock)
        {
            _done = done;
            _skipped = skipped;
            if (Stopwatch.GetElapsedTime(_lastLine) < Interval)
            {
                return;
            }

            _lastLine = Stopwatch.GetTimestamp();
            writer.WriteLine(Describe(final: false));
        }
    }

    public void Finish()
    {
        lock (_lock)
        {
            _done = totalBytes;
            writer.WriteLine(Describe(final: true));
        }
    }

    private string Describe(bool final)
    {
        var elapsed = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        // Bytes already there (an earlier run's parts, a partial download) were not sent: they make no rate.
        var rate = elapsed > 0 ? Math.Max(_done - _skipped, 0) / elapsed : 0;
        var percent = totalBytes > 0 ? 100.0 * _done / totalBytes : 100;
        var text = string.Create(CultureInfo.InvariantCulture, $"{label}: {ByteSize.Format(_done)} of {ByteSize.Format(totalBytes)} ({percent:0}%)");
        if (_skipped > 0)
        {
            text += $", {ByteSize.Format(_skipped)} already there";
        }

        if (rate > 0)
        {
            text += $", {ByteSize.Format(rate)}/s";
        }

        if (final)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{text}, done in {elapsed:0.0} s");
        }

        return rate > 0 ? string.Create(CultureInfo.InvariantCulture, $"{text}, {(totalBytes - _done) / rate:0} s left") : text;
    }
}
