namespace Tessera.Server.Scrubbing;

/// <summary>
/// <c>Tessera:Scrub</c>: reading every stored blob back and comparing it with the CRC32C recorded when it was stored,
/// so that bytes damaged at rest are found before a client downloads them.
/// </summary>
public sealed class ScrubOptions
{
    /// <summary>50 MiB a second: a small share of a disk's or a bucket's bandwidth, and a terabyte in under six hours.</summary>
    public const long DefaultMaxBytesPerSecond = 50L << 20;

    /// <summary>The lowest cap accepted: below it a round of any size never ends.</summary>
    public const long MinMaxBytesPerSecond = 1024;

    /// <summary>
    /// Seconds between scheduled rounds (<c>Tessera:Scrub:IntervalSeconds</c>); 0, the default, schedules none.
    /// The first round runs one interval after start-up.
    /// </summary>
    public int IntervalSeconds { get; set; }

    /// <summary>The most bytes a round reads in a second (<c>Tessera:Scrub:MaxBytesPerSecond</c>), scheduled or run by hand.</summary>
    public long MaxBytesPerSecond { get; set; } = DefaultMaxBytesPerSecond;
}
