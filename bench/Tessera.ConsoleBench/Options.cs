using System.Globalization;

namespace Tessera.ConsoleBench;

/// <summary>
/// The command line: <c>--url ROOT --file PATH --cli COMMAND --server-pid PID [--reps 3] [--warmups 1] [--chromium PATH]</c>.
/// </summary>
internal sealed record Options(Uri Root, string File, IReadOnlyList<string> Cli, int ServerProcessId, int Reps, int Warmups, string Chromium)
{
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }

        string Required(string name) => values.TryGetValue(name, out var value)
            ? value
            : throw new ArgumentException($"--{name} is required (see bench/console.sh).");

        return new Options(
            new Uri(Required("url").TrimEnd('/') + "/"),
            Required("file"),
            // The CLI as a command line: the native executable, or "dotnet path/to/tessera.dll".
            Required("cli").Split(' ', StringSplitOptions.RemoveEmptyEntries),
            int.Parse(Required("server-pid"), CultureInfo.InvariantCulture),
            int.Parse(values.GetValueOrDefault("reps", "3"), CultureInfo.InvariantCulture),
            int.Parse(values.GetValueOrDefault("warmups", "1"), CultureInfo.InvariantCulture),
            values.GetValueOrDefault("chromium", "/usr/bin/chromium"));
    }
}
