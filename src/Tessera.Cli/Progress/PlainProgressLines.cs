using System.Diagnostics;
using System.Globalization;

namespace Tessera.Cli.Progress;

/// <summary>Progress as plain lines (no escape codes), at most one a second, for output that is not a terminal.</summary>
internal sealed class PlainProgressLines(TextWriter writer, string label, long totalBytes)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _firstDone = -1;
    private long _lastLine = Stopwatch.GetTimestamp();
    private long _done;

    public void Report(long done)
    {
        lock (_lock)
        {
            if (_firstDone < 0)
            {
                // Bytes an earlier run already sent do not count toward this run's rate.
                _firstDone = done;
            }

            _done = done;
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
        var rate = elapsed > 0 ? (_done - Math.Max(_firstDone, 0)) / elapsed : 0;
        var percent = totalBytes > 0 ? 100.0 * _done / totalBytes : 100;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{label}: {ByteSize.Format(_done)} of {ByteSize.Format(totalBytes)} ({percent:0}%), {ByteSize.Format(rate)}/s");
        if (final)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{text}, done in {elapsed:0.0} s");
        }

        return rate > 0 ? string.Create(CultureInfo.InvariantCulture, $"{text}, {(totalBytes - _done) / rate:0} s left") : text;
    }
}
