using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace Tessera.LoadBench.Ops;

/// <summary>
/// What metrics, tracing and quotas cost the server: three servers side by side, two with all of it off and one
/// with all of it on (Prometheus scraped every few seconds, traces sent to an OTLP endpoint that discards
/// what it gets, quotas set high), driven in turn by the same workloads, interleaved round by round. It compares
/// each server's CPU-seconds per request (<c>/proc/PID/stat</c>): how far off A and off B are apart is the noise, on
/// against their mean the cost. Prints the markdown table.
/// </summary>
internal static class OpsBench
{
    private const int PartBytes = 64 * 1024 * 1024;
    private const int PartsPerUpload = 4;
    private const string MetricsKey = "sk-opsbench-metrics-0001";

    private static readonly string[] Workloads = ["list", "create+cancel", "create+part(1 KiB)+complete", "delete", "ingest (4 x 64 MiB)"];

    public static async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var options = OpsOptions.Parse(args);
        using var sink = new OtlpSink(options.Port + 3);
        string[] metrics = ["--Tessera:Telemetry:Prometheus:Enabled=true", $"--Tessera:Telemetry:Prometheus:Key={MetricsKey}"];
        string[] tracing = [$"--Tessera:Telemetry:Otlp:Endpoint={sink.Endpoint}"];
        // Quotas high enough never to refuse: what is measured is keeping the account.
        string[] quotas = ["--Tessera:Quotas:Bytes=1099511627776", "--Tessera:Quotas:Files=100000000", "--Tessera:Quotas:PendingUploads=100000000"];
        var otlpOverHttp = new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf" };
        var targets = new List<Target>();
        try
        {
            targets.Add(await Target.StartAsync("off A", options, options.Port, [], null, cancellationToken));
            targets.Add(await Target.StartAsync("off B", options, options.Port + 1, [], null, cancellationToken));
            targets.Add(await Target.StartAsync("on", options, options.Port + 2, [.. metrics, .. tracing, .. quotas], otlpOverHttp, cancellationToken));
            if (options.Split)
            {
                // Each part alone, to see where the cost is.
                targets.Add(await Target.StartAsync("metrics only", options, options.Port + 4, metrics, null, cancellationToken));
                targets.Add(await Target.StartAsync("tracing only", options, options.Port + 5, tracing, otlpOverHttp, cancellationToken));
                // What a busier sampling than the default costs: everything on, one request in ten traced.
                var oneInTen = new Dictionary<string, string>(otlpOverHttp) { ["OTEL_TRACES_SAMPLER_ARG"] = "0.1" };
                targets.Add(await Target.StartAsync("on, 1 in 10 traced", options, options.Port + 6, [.. metrics, .. tracing, .. quotas], oneInTen, cancellationToken));
            }

            using var scraping = new CancellationTokenSource();
            var scrapes = ScrapeUntilCancelledAsync(targets[2], options.ScrapeInterval, scraping.Token);
            var splitScrapes = options.Split ? ScrapeUntilCancelledAsync(targets[^1], options.ScrapeInterval, scraping.Token) : Task.FromResult((0, ""));
            var part = new byte[PartBytes];
            Random.Shared.NextBytes(part);

            foreach (var target in targets)
            {
                Console.Error.WriteLine($"[ops] {target.Name}: seeding and warm-up");
                await target.SeedAsync(cancellationToken);
                await target.RunRoundAsync(options, part, record: false, cancellationToken);
            }

            foreach (var target in targets)
            {
                target.StartMeasuring();
            }

            for (var round = 1; round <= options.Rounds; round++)
            {
                // Interleaved, and in a different order each round, so whatever else the machine does falls on all alike.
                foreach (var target in targets.Skip(round % targets.Count).Concat(targets.Take(round % targets.Count)))
                {
                    Console.Error.WriteLine($"[ops] round {round} of {options.Rounds}: {target.Name}");
                    await target.RunRoundAsync(options, part, record: true, cancellationToken);
                }
            }

            foreach (var target in targets)
            {
                target.StopMeasuring();
            }

            await scraping.CancelAsync();
            var (scrapeCount, lastScrape) = await scrapes;
            await splitScrapes;
            Console.Write(Render(options, targets, scrapeCount, sink.Exports, lastScrape));
        }
        finally
        {
            foreach (var target in targets)
            {
                await target.DisposeAsync();
            }
        }
    }

    private static async Task<(int Count, string Last)> ScrapeUntilCancelledAsync(Target target, TimeSpan interval, CancellationToken cancellationToken)
    {
        using var scraper = new HttpClient();
        scraper.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MetricsKey);
        var count = 0;
        var last = "";
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, cancellationToken);
                last = await scraper.GetStringAsync(new Uri(target.Root, "metrics"), cancellationToken);
                count++;
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return (count, last);
    }

    private static string Render(OpsOptions options, List<Target> targets, int scrapes, long exports, string lastScrape)
    {
        var (offA, offB, on) = (targets[0], targets[1], targets[2]);
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"{options.Clients} clients, {options.Rounds} rounds of {options.Duration.TotalSeconds} s per phase, {options.IngestUploads} uploads of {PartsPerUpload} x 64 MiB per ingest phase; 'on': /metrics scraped every {options.ScrapeInterval.TotalSeconds} s ({scrapes} scrapes), traces (sampled as the server samples them) sent to an OTLP/HTTP sink ({exports} exports received), quotas set high");
        table.AppendLine();
        table.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"| workload | requests ({string.Join(" / ", targets.Select(t => t.Name))}) | {string.Join(" | ", targets.Select(t => $"CPU ms per request: {t.Name}"))} | {string.Join(" | ", targets.Skip(1).Select(t => $"{t.Name} ÷ off A"))} |"));
        table.AppendLine("|---|---|" + string.Concat(Enumerable.Repeat("---|", targets.Count * 2 - 1)));
        foreach (var workload in Workloads)
        {
            AppendRow(table, workload, [.. targets.Select(t => t.Phases[workload])]);
        }

        AppendRow(table, "**whole run** (idle time, scrapes and exports included)", [.. targets.Select(t => t.WholeRun)]);
        // Against both servers that are off, so that neither one's luck decides; the noise is how far apart they are.
        var off = (offA.WholeRun.MillisecondsPerRequest + offB.WholeRun.MillisecondsPerRequest) / 2;
        var noise = Math.Abs(offB.WholeRun.MillisecondsPerRequest - offA.WholeRun.MillisecondsPerRequest) / off;
        var cost = on.WholeRun.MillisecondsPerRequest / off - 1;
        table.AppendLine();
        table.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"whole run: on costs {cost * 100:+0.0;-0.0}% CPU per request against the mean of off A and off B, which are {noise * 100:0.0}% apart (the noise); target: at most the noise + 5.0% -> {(cost <= noise + 0.05 ? "met" : "NOT met")}"));
        var stored = lastScrape.Split('\n').FirstOrDefault(line => line.StartsWith("tessera_parts_stored_total", StringComparison.Ordinal));
        table.AppendLine(CultureInfo.InvariantCulture, $"last scrape of 'on': {stored ?? "no tessera_parts_stored_total (metrics missing!)"}");
        return table.ToString();
    }

    private static void AppendRow(StringBuilder table, string name, CpuTally[] tallies) =>
        table.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {string.Join(" / ", tallies.Select(t => t.Requests))} | {string.Join(" | ", tallies.Select(t => t.MillisecondsPerRequest.ToString("F3", CultureInfo.InvariantCulture)))} | {string.Join(" | ", tallies.Skip(1).Select(t => (t.MillisecondsPerRequest / tallies[0].MillisecondsPerRequest).ToString("F3", CultureInfo.InvariantCulture)))} |"));

    /// <summary>CPU time spent and requests served.</summary>
    private sealed class CpuTally
    {
        public double Seconds { get; set; }

        public long Requests { get; set; }

        public double MillisecondsPerRequest => Requests == 0 ? double.NaN : Seconds * 1000 / Requests;
    }

    /// <summary>One server under test, its client and what it has cost so far.</summary>
    private sealed class Target : IAsyncDisposable
    {
        private readonly ServerProcess _server;
        private readonly HttpClient _client;
        private readonly Scenarios _scenarios;
        private double _measuringSince;

        private Target(string name, ServerProcess server)
        {
            Name = name;
            _server = server;
            _client = server.CreateClient();
            _scenarios = new Scenarios(_client);
            Root = new Uri(server.BaseAddress, "/");
        }

        public string Name { get; }

        public Uri Root { get; }

        public Dictionary<string, CpuTally> Phases { get; } = Workloads.ToDictionary(w => w, _ => new CpuTally());

        public CpuTally WholeRun { get; } = new();

        public static async Task<Target> StartAsync(
            string name, OpsOptions options, int port, string[] settings, Dictionary<string, string>? environment, CancellationToken cancellationToken) =>
            new(name, await ServerProcess.StartAsync(options.ServerDll, port, cancellationToken, settings, environment));

        public async Task SeedAsync(CancellationToken cancellationToken)
        {
            for (var i = 0; i < 100; i++)
            {
                await _scenarios.SeedFileAsync(cancellationToken);
            }
        }

        public void StartMeasuring() => _measuringSince = ProcessCpu.Seconds(_server.ProcessId);

        public void StopMeasuring() => WholeRun.Seconds = ProcessCpu.Seconds(_server.ProcessId) - _measuringSince;

        public async Task RunRoundAsync(OpsOptions options, byte[] part, bool record, CancellationToken cancellationToken)
        {
            var duration = record ? options.Duration : options.Warmup;
            await MeasureAsync(Workloads[0], record, () => LoadPhase.RunAsync("list", options.Clients, duration, async (t, ct) => { await _scenarios.ListAsync(t, ct); return true; }, cancellationToken));
            await MeasureAsync(Workloads[1], record, () => LoadPhase.RunAsync("create+cancel", options.Clients, duration, async (t, ct) => { await _scenarios.CreateCancelAsync(t, ct); return true; }, cancellationToken));
            await MeasureAsync(Workloads[2], record, () => LoadPhase.RunAsync("create+part+complete", options.Clients, duration, async (t, ct) => { await _scenarios.CreatePartCompleteAsync(t, ct); return true; }, cancellationToken));
            await MeasureAsync(Workloads[3], record, () => LoadPhase.RunAsync("delete", options.Clients, TimeSpan.FromMinutes(10), _scenarios.DeleteMadeFileAsync, cancellationToken));
            await MeasureAsync(Workloads[4], record, async () =>
            {
                var timings = new Timings();
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < options.IngestUploads; i++)
                {
                    await IngestAsync(timings, part, cancellationToken);
                }

                return new PhaseResult("ingest", clock.Elapsed, timings.ByOperation);
            });
        }

        private async Task MeasureAsync(string workload, bool record, Func<Task<PhaseResult>> phase)
        {
            var before = ProcessCpu.Seconds(_server.ProcessId);
            var result = await phase();
            if (record)
            {
                Phases[workload].Seconds += ProcessCpu.Seconds(_server.ProcessId) - before;
                Phases[workload].Requests += result.Requests;
                WholeRun.Requests += result.Requests;
            }
        }

        /// <summary>One upload of four 64 MiB parts sent together, completed, and its file deleted.</summary>
        private async Task IngestAsync(Timings timings, byte[] part, CancellationToken cancellationToken)
        {
            var upload = await timings.TimeAsync("create", async () => await Scenarios.ReadOkAsync(await _client.PostAsJsonAsync("uploads",
                new { filename = "ingest.bin", purpose = "assistants", bytes = (long)PartBytes * PartsPerUpload, mime_type = "application/octet-stream" }, cancellationToken), cancellationToken));
            var uploadId = Scenarios.Id(upload);
            var parts = await Task.WhenAll(Enumerable.Range(0, PartsPerUpload).Select(_ => timings.TimeAsync("part", async () =>
            {
                using var form = new MultipartFormDataContent { { new ByteArrayContent(part), "data", "part" } };
                return Scenarios.Id(await Scenarios.ReadOkAsync(await _client.PostAsync($"uploads/{uploadId}/parts", form, cancellationToken), cancellationToken));
            })));
            var completed = await timings.TimeAsync("complete", async () => await Scenarios.ReadOkAsync(
                await _client.PostAsJsonAsync($"uploads/{uploadId}/complete", new { part_ids = parts }, cancellationToken), cancellationToken));
            var fileId = Scenarios.Id(completed.GetProperty("file"));
            await timings.TimeAsync("delete", async () => await Scenarios.ReadOkAsync(await _client.DeleteAsync($"files/{fileId}", cancellationToken), cancellationToken));
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            await _server.DisposeAsync();
        }
    }
}
