using System.Globalization;

namespace Tessera.LoadBench.Ops;

/// <summary>A process's CPU time so far (user + system), from <c>/proc/PID/stat</c>, in seconds.</summary>
internal static class ProcessCpu
{
    // USER_HZ: the unit of utime and stime in /proc, 100 on every Linux this runs on.
    private const double TicksPerSecond = 100;

    public static double Seconds(int processId)
    {
        var stat = File.ReadAllText($"/proc/{processId}/stat");
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis are plain.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // utime and stime are fields 14 and 15, the 12th and 13th after the name.
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}
