using Spectre.Console;
using Tessera.Cli.Progress;

namespace Tessera.Cli.Tests;

/// <summary>
/// The progress bar of <c>tessera upload</c>, driven as the upload drives it, with the rate read as the bar's rate
/// column reads it (Spectre's <see cref="ProgressTask.Speed"/>, over its last 30 s).
/// </summary>
public sealed class ProgressRateTests
{
    private const long MiB = 1 << 20;

    [Fact]
    public void The_rate_never_goes_negative_when_parts_in_flight_fail_and_are_taken_back_from_the_count()
    {
        var clock = new ManualClock();
        var total = 1024 * MiB;
        var task = new ProgressTask(1, "upload", total, autoStart: true, clock);
        var bar = new BarProgress(task, "upload", total);
        // The same reports set straight on a bar, as the bar was moved before.
        var plain = new ProgressTask(2, "upload", total, autoStart: true, clock);

        // A slow link: 1 MiB/s for 100 s, every byte in four parts still in flight; then the connection drops, the
        // four fail and their bytes are taken back; then they are sent again.
        var rates = new List<double>();
        var plainRates = new List<double>();
        foreach (var sent in Enumerable.Range(1, 100).Select(s => s * MiB).Append(0).Concat(Enumerable.Range(1, 40).Select(s => s * MiB)))
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            bar.Report(sent, 0);
            plain.Value = sent;
            rates.Add(task.Speed ?? 0);
            plainRates.Add(plain.Speed ?? 0);
        }

        Assert.True(plainRates.Min() < 0, "the scenario does not show the negative rate it is meant to");
        Assert.True(rates.Min() >= 0, $"the bar showed a rate of {rates.Min() / MiB:0.0} MiB/s");
        Assert.True(task.Value == 100 * MiB, $"the bar went back to {task.Value} bytes");
    }

    [Fact]
    public void Bytes_already_on_the_server_count_toward_progress_but_not_toward_the_rate()
    {
        var clock = new ManualClock();
        var total = 100 * MiB;
        var task = new ProgressTask(1, "upload", total, autoStart: true, clock);
        var bar = new BarProgress(task, "upload", total);

        clock.Advance(TimeSpan.FromSeconds(1));
        bar.Report(60 * MiB, 60 * MiB);
        clock.Advance(TimeSpan.FromSeconds(1));
        bar.Report(70 * MiB, 60 * MiB);

        Assert.Equal((double)(40 * MiB), task.MaxValue);
        Assert.Equal((double)(10 * MiB), task.Value);
        Assert.Contains("60.0 MiB already there", task.Description);
    }

    /// <summary>A clock that moves only when told to.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
