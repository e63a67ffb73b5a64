using System.Diagnostics;
using System.Net.Http.Headers;

namespace Tessera.LoadBench.Nodes;

/// <summary>
/// Ingest through 1, 2 and then 3 nodes that share one PostgreSQL and one S3 store, each request to the next node in
/// turn, with what PostgreSQL and s3rver saw of each phase; then the time of complete for a 1 GiB upload against a
/// 1 MiB one. Prints the markdown tables.
/// </summary>
internal sealed class NodesBench(NodesOptions options, PostgresFigures postgres, S3rverLog s3)
{
    private const int MiB = 1024 * 1024;

    public static async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var options = NodesOptions.Parse(args);
        await using var postgres = PostgresFigures.Open(options.Postgres, options.Database, options.PostgresLog);
        var bench = new NodesBench(options, postgres, new S3rverLog(options.S3Log));
        var configurations = Enumerable.Range(1, options.Targets.Count).ToArray();

        var phases = new List<IngestPhase>();
        if (options.Rounds > 0)
        {
            phases = await bench.IngestRoundsAsync(configurations, cancellationToken);
        }

        var completes = await bench.CompleteLatencyAsync(cancellationToken);
        phases = [.. await Task.WhenAll(phases.Select(async p => p with { LockWaits = await postgres.ResolveTableNamesAsync(p.LockWaits, cancellationToken) }))];
        Console.Write(NodesReport.Render(options, phases, completes));
    }

    /// <summary>One untimed round of every configuration, then <c>--rounds</c> timed ones, interleaved.</summary>
    private async Task<List<IngestPhase>> IngestRoundsAsync(int[] configurations, CancellationToken cancellationToken)
    {
        // One untimed round first: every node's JIT and connection pools warm, on every path.
        Console.Error.WriteLine("[nodes] warm-up: one round of each configuration");
        foreach (var nodes in configurations)
        {
            await IngestAsync(nodes, settle: false, cancellationToken);
        }

        // So the warm-up's counters, published late, fall on no timed phase.
        await Task.Delay(options.Settle, cancellationToken);

        var phases = new List<IngestPhase>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            // Interleaved, so whatever else the machine does falls on every configuration alike.
            foreach (var nodes in configurations)
            {
                Console.Error.WriteLine($"[nodes] round {round} of {options.Rounds}: {nodes} node(s)");
                phases.Add(await IngestAsync(nodes, settle: true, cancellationToken));
            }
        }

        return phases;
    }

    private HttpClient CreateClient(int nodes) =>
        new(new RoundRobinHandler(options.Targets.Take(nodes).ToArray()))
        {
            BaseAddress = options.Targets[0],
            Timeout = TimeSpan.FromMinutes(5),
            // The nodes run in open mode (loopback), which takes any bearer token.
            DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", "sk-nodes-bench") },
        };

    /// <summary>
    /// <c>--uploads</c> uploads of <c>--parts / --uploads</c> parts each, sent by <c>--clients</c> clients (so a few
    /// parts of each upload are in flight at once, as the tessera tool sends them), then completed. The time runs
    /// from the first create to the last complete.
    /// </summary>
    private async Task<IngestPhase> IngestAsync(int nodes, bool settle, CancellationToken cancellationToken)
    {
        using var client = CreateClient(nodes);
        var part = RandomBytes(options.PartMiB * MiB);
        var perUpload = options.Parts / options.Uploads;
        s3.TakeNew();
        postgres.TakeLoggedLockWaits();
        var before = await postgres.ReadCountersAsync(cancellationToken);
        using var sampling = new CancellationTokenSource();
        var sampler = postgres.SampleAsync(sampling.Token);

        var clock = Stopwatch.StartNew();
        var uploadIds = await Task.WhenAll(Enumerable.Range(0, options.Uploads)
            .Select(_ => UploadRequests.CreateAsync(client, (long)perUpload * part.Length, cancellationToken)));
        var partIds = uploadIds.Select(_ => new string[perUpload]).ToArray();
        var taken = new int[options.Uploads];
        var partTicks = 0L;
        await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(c => Task.Run(async () =>
        {
            var upload = c % options.Uploads;
            for (var k = Interlocked.Increment(ref taken[upload]) - 1; k < perUpload; k = Interlocked.Increment(ref taken[upload]) - 1)
            {
                var started = Stopwatch.GetTimestamp();
                partIds[upload][k] = await UploadRequests.SendPartAsync(client, uploadIds[upload], part, cancellationToken);
                Interlocked.Add(ref partTicks, Stopwatch.GetElapsedTime(started).Ticks);
            }
        }, cancellationToken)));
        await Task.WhenAll(uploadIds.Select((id, u) => UploadRequests.CompleteAsync(client, id, partIds[u], cancellationToken)));
        var elapsed = clock.Elapsed;

        await sampling.CancelAsync();
        var samples = await sampler;
        if (settle)
        {
            // PostgreSQL publishes an idle session's counters up to 10 s late.
            await Task.Delay(options.Settle, cancellationToken);
        }

        var counters = await postgres.ReadCountersAsync(cancellationToken) - before;
        return new IngestPhase(nodes, (long)options.Parts * part.Length, elapsed, TimeSpan.FromTicks(partTicks), counters, samples, postgres.TakeLoggedLockWaits(), s3.TakeNew());
    }

    /// <summary>
    /// complete for 1 x 1 MiB and for <c>--complete-parts</c> x <c>--complete-part-mib</c>, one after the other, after
    /// one uncounted round; each upload's parts sent 4 at a time through every node, and the s3rver requests made
    /// while complete ran counted.
    /// </summary>
    private async Task<CompleteResult[]> CompleteLatencyAsync(CancellationToken cancellationToken)
    {
        using var client = CreateClient(options.Targets.Count);
        var shapes = new[] { ("1 x 1 MiB", 1, RandomBytes(MiB)), ($"{options.CompleteParts} x {options.CompletePartMiB} MiB", options.CompleteParts, RandomBytes(options.CompletePartMiB * MiB)) };
        var results = shapes.Select(s => new CompleteResult(s.Item1, (long)s.Item2 * s.Item3.Length)).ToArray();
        for (var rep = 0; rep <= options.CompleteReps; rep++)
        {
            Console.Error.WriteLine(rep == 0 ? "[nodes] complete: warm-up" : $"[nodes] complete: repetition {rep} of {options.CompleteReps}");
            for (var s = 0; s < shapes.Length; s++)
            {
                var (_, parts, data) = shapes[s];
                var uploadId = await UploadRequests.CreateAsync(client, (long)parts * data.Length, cancellationToken);
                var partIds = new string[parts];
                await Parallel.ForEachAsync(Enumerable.Range(0, parts), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
                    async (k, token) => partIds[k] = await UploadRequests.SendPartAsync(client, uploadId, data, token));
                if (options.SyncBeforeComplete)
                {
                    // Writes still queued for the disk (s3rver's files, not synced when it answers) would otherwise delay
                    // complete's commit, and more after 1 GiB than after 1 MiB: the disk's backlog, not complete's work.
                    await SyncAsync(cancellationToken);
                }

                s3.TakeNew();
                var started = Stopwatch.GetTimestamp();
                await UploadRequests.CompleteAsync(client, uploadId, partIds, cancellationToken);
                var milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                var requests = s3.TakeNew();
                if (rep > 0)
                {
                    results[s].Milliseconds.Add(milliseconds);
                    results[s].Requests.Add(requests);
                }
            }
        }

        return results;
    }

    private static async Task SyncAsync(CancellationToken cancellationToken)
    {
        using var sync = Process.Start("sync") ?? throw new InvalidOperationException("could not run sync");
        await sync.WaitForExitAsync(cancellationToken);
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }
}

/// <summary>One timed ingest through some nodes, with what the engines saw of it.</summary>
internal sealed record IngestPhase(
    int Nodes, long Bytes, TimeSpan Elapsed, TimeSpan PartRequests, DatabaseCounters Postgres, LockSamples Samples, LoggedLockWaits LockWaits, RequestCounts S3)
{
    public double MegabytesPerSecond => Bytes / 1e6 / Elapsed.TotalSeconds;
}

/// <summary>complete's times for one shape of upload, and the s3rver requests made during each.</summary>
internal sealed record CompleteResult(string Shape, long Bytes)
{
    public List<double> Milliseconds { get; } = [];

    public List<RequestCounts> Requests { get; } = [];
}
