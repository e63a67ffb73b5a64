using System.Globalization;

namespace Tessera.Domain;

/// <summary>A byte count as a person reads it in a message: <c>512 bytes</c>, <c>12.5 MiB</c>, <c>1.0 GiB</c>.</summary>
public static class ByteSize
{
    private static readonly string[] Units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    public static string Describe(long bytes)
    {
        if (bytes < 1024)
        {
            return bytes == 1 ? "1 byte" : $"{bytes} bytes";
        }

        var value = (double)bytes;
        var unit = -1;
        // Past 1023.95 of a unit, "1024.0 KiB" would print: the next unit reads better.
        while (value >= 1023.95 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {Units[unit]}");
    }
}
