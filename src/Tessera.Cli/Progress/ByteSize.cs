using System.Globalization;

namespace Tessera.Cli.Progress;

/// <summary>Byte counts as people read and write them: <c>64MiB</c>, <c>8M</c>, <c>1048576</c>.</summary>
internal static class ByteSize
{
    private static readonly (string Suffix, long Factor)[] Suffixes =
    [
        ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10),
        ("G", 1L << 30), ("M", 1L << 20), ("K", 1L << 10), ("B", 1),
    ];

    /// <summary>Reads a count with an optional binary suffix (K, M, G, KiB, MiB, GiB; case-insensitive); null when it is not one.</summary>
    public static long? TryParse(string text)
    {
        var trimmed = text.Trim();
        var factor = 1L;
        foreach (var (suffix, value) in Suffixes)
        {
            if (trimmed.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                trimmed = trimmed[..^suffix.Length].TrimEnd();
                factor = value;
                break;
            }
        }

        return long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count <= long.MaxValue / factor
            ? count * factor
            : null;
    }

    public static string Format(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var unit = 0;
        while (Math.Abs(bytes) >= 1024 && unit < units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes:0} B")
            : string.Create(CultureInfo.InvariantCulture, $"{bytes:0.0} {units[unit]}");
    }
}
