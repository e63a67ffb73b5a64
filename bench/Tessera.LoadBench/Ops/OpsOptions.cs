using System.Globalization;

namespace Tessera.LoadBench.Ops;

/// <summary>
/// <c>ops --server DLL [--clients 16] [--rounds 3] [--seconds 5] [--warmup 3] [--ingest 2] [--scrape-seconds 5]
/// [--split 0] [--port 19510]</c>: three servers on ports port..port+2, the OTLP sink on port+3; <c>--split 1</c> adds a
/// server with metrics alone, one with tracing alone, and one with everything on but one request in ten traced
/// (port+4 to port+6).
/// </summary>
internal sealed record OpsOptions(string ServerDll, int Clients, int Rounds, TimeSpan Duration, TimeSpan Warmup, int IngestUploads, TimeSpan ScrapeInterval, int Port, bool Split)
{
    public static OpsOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }

        int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var server = values.GetValueOrDefault("server") ?? throw new ArgumentException("--server path/to/Tessera.Server.dll is required");
        return new OpsOptions(Path.GetFullPath(server), Int("clients", 16), Int("rounds", 3), TimeSpan.FromSeconds(Int("seconds", 5)),
            TimeSpan.FromSeconds(Int("warmup", 3)), Int("ingest", 2), TimeSpan.FromSeconds(Int("scrape-seconds", 5)), Int("port", 19510), Int("split", 0) == 1);
    }
}
