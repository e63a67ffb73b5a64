namespace Tessera.Storage.S3.Tests;

/// <summary>
/// This process's peak resident memory as Linux counts it (<c>VmHWM</c>), which can be reset to the current size, so
/// a test measures the true peak of what it ran, not a sampled guess and not the peaks of earlier tests.
/// </summary>
internal static class PeakResidentMemory
{
    private const string Status = "/proc/self/status";
    private const string ClearRefs = "/proc/self/clear_refs";

    public static bool CanReset => OperatingSystem.IsLinux() && File.Exists(ClearRefs) && File.Exists(Status);

    /// <summary>Makes the peak the current resident size (writing 5 to clear_refs, Linux 4.0 and later).</summary>
    public static void Reset() => File.WriteAllText(ClearRefs, "5");

    public static long PeakBytes() => Read("VmHWM:");

    public static long CurrentBytes() => Read("VmRSS:");

    private static long Read(string field)
    {
        var line = File.ReadLines(Status).First(l => l.StartsWith(field, StringComparison.Ordinal));
        var kilobytes = long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        return kilobytes * 1024;
    }
}
