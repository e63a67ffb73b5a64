using System.Diagnostics;

namespace Tessera.LoadBench;

/// <summary>
/// Runs one scenario from many concurrent clients for a fixed time and keeps every request's latency by operation.
/// A scenario is one iteration of a client's loop (e.g. create then cancel); it times its requests through the
/// <see cref="Timings"/> it is given, and answers false when it has nothing left to do.
/// </summary>
internal static class LoadPhase
{
    public static async Task<PhaseResult> RunAsync(
        string name, int clients, TimeSpan duration, Func<Timings, CancellationToken, Task<bool>> iteration, CancellationToken cancellationToken)
    {
        var perClient = Enumerable.Range(0, clients).Select(_ => new Timings()).ToArray();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(perClient.Select(timings => Task.Run(async () =>
        {
            while (clock.Elapsed < duration && await iteration(timings, cancellationToken))
            {
            }
        }, cancellationToken)));
        var elapsed = clock.Elapsed;
        return new PhaseResult(name, elapsed, Timings.Merge(perClient));
    }
}

/// <summary>One client's latencies by operation, in milliseconds.</summary>
internal sealed class Timings(Dictionary<string, List<double>> byOperation)
{
    public Timings()
        : this(new Dictionary<string, List<double>>(StringComparer.Ordinal))
    {
    }

    public Dictionary<string, List<double>> ByOperation { get; } = byOperation;

    /// <summary>Runs <paramref name="request"/> and records how long it took under <paramref name="operation"/>.</summary>
    public async Task<T> TimeAsync<T>(string operation, Func<Task<T>> request)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await request();
        var milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!ByOperation.TryGetValue(operation, out var samples))
        {
            ByOperation[operation] = samples = [];
        }

        samples.Add(milliseconds);
        return result;
    }

    public static Dictionary<string, List<double>> Merge(IEnumerable<Timings> all)
    {
        var merged = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var (operation, samples) in all.SelectMany(t => t.ByOperation))
        {
            if (!merged.TryGetValue(operation, out var into))
            {
                merged[operation] = into = [];
            }

            into.AddRange(samples);
        }

        return merged;
    }
}

/// <summary>What one phase measured: every request of every client, by operation.</summary>
internal sealed record PhaseResult(string Name, TimeSpan Elapsed, Dictionary<string, List<double>> ByOperation)
{
    public int Requests => ByOperation.Values.Sum(s => s.Count);

    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;

    /// <summary>The rounds of one phase as if they were one run: their times added, their samples pooled.</summary>
    public static PhaseResult Combine(IReadOnlyList<PhaseResult> rounds) =>
        new(rounds[0].Name, TimeSpan.FromTicks(rounds.Sum(r => r.Elapsed.Ticks)), Timings.Merge(rounds.Select(r => new Timings(r.ByOperation))));

    public static double Percentile(List<double> samples, double fraction)
    {
        var sorted = samples.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(fraction * sorted.Length) - 1)];
    }
}
