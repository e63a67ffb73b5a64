using System.Globalization;

namespace Tessera.ConsoleBench;

/// <summary>
/// CPU time from <c>/proc</c>: the whole machine's busy time (every core, every process, the kernel's work included)
/// and the server process's own, so the table can tell a run held back by the CPU from one held back by anything else.
/// </summary>
internal sealed class CpuTime(int serverProcessId)
{
    // The kernel reports these in USER_HZ ticks, which are hundredths of a second on Linux.
    private const double TicksPerSecond = 100;

    public Reading Read() => new(MachineBusySeconds(), ProcessSeconds(serverProcessId));

    /// <summary>Seconds of CPU spent between <paramref name="start"/> and now, on the machine and in the server.</summary>
    public Spent Since(Reading start)
    {
        var now = Read();
        return new Spent(now.Machine - start.Machine, now.Server - start.Server);
    }

    private static double MachineBusySeconds()
    {
        // "cpu user nice system idle iowait irq softirq steal ...": everything but idle and iowait is busy.
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ticks = fields.Skip(1).Take(8).Select(field => long.Parse(field, CultureInfo.InvariantCulture)).ToArray();
        return (ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7]) / TicksPerSecond;
    }

    private static double ProcessSeconds(int processId)
    {
        // Fields after the command name, which may hold spaces, start at the state; utime and stime are the 12th and 13th.
        var stat = File.ReadAllText($"/proc/{processId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    public readonly record struct Reading(double Machine, double Server);

    /// <summary>CPU seconds: the whole machine's, and the server's share of them.</summary>
    public readonly record struct Spent(double Machine, double Server);
}

/// <summary>One timed run: how long it took and the CPU it cost.</summary>
internal readonly record struct Measured(TimeSpan Elapsed, CpuTime.Spent Cpu);
