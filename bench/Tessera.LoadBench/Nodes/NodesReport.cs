using System.Globalization;
using System.Text;

namespace Tessera.LoadBench.Nodes;

/// <summary>The nodes benchmark's markdown: ingest by number of nodes against one node, the engines' figures, complete's times.</summary>
internal static class NodesReport
{
    public const double MaxCompleteRatio = 2.0;

    public static string Render(NodesOptions options, IReadOnlyList<IngestPhase> phases, IReadOnlyList<CompleteResult> completes)
    {
        var text = new StringBuilder();
        if (phases.Count > 0)
        {
            RenderIngest(text, options, phases);
        }

        RenderComplete(text, options, completes);
        return text.ToString();
    }

    private static void RenderIngest(StringBuilder text, NodesOptions options, IReadOnlyList<IngestPhase> phases)
    {
        var byNodes = phases.GroupBy(p => p.Nodes).OrderBy(g => g.Key).ToArray();
        var reference = Median(byNodes[0].Select(p => p.MegabytesPerSecond));
        text.AppendLine(Invariant($"Ingest: {options.Parts} parts of {options.PartMiB} MiB ({options.Parts * options.PartMiB} MiB) as {options.Uploads} uploads, from {options.Clients} clients, each request to the next node in turn; median of {options.Rounds} interleaved rounds after one warm-up round."));
        text.AppendLine();
        text.AppendLine("| nodes | MB/s (median) | ÷ 1 node | MB/s per round |");
        text.AppendLine("|---|---|---|---|");
        foreach (var group in byNodes)
        {
            var median = Median(group.Select(p => p.MegabytesPerSecond));
            text.AppendLine(Invariant($"| {group.Key} | {median:F0} | {median / reference:F2} | {string.Join(" ", group.Select(p => p.MegabytesPerSecond.ToString("F0", CultureInfo.InvariantCulture)))} |"));
        }

        text.AppendLine();
        text.AppendLine(Invariant($"What the engines saw, totals over the {options.Rounds} rounds ({options.Rounds * options.Parts} parts) of each configuration: PostgreSQL's counters for the nodes' database (pg_stat_database: commits, rollbacks, deadlocks, time spent executing statements), the lock waits it logged by the table whose row was waited for, against the time the part requests took at the clients, all added up (log_lock_waits, every wait over deadlock_timeout = 1 ms), its sessions sampled every 20 ms (pg_stat_activity: sessions executing, of them waiting on a lock), and s3rver's requests (health probes left out)."));
        text.AppendLine();
        text.AppendLine("| nodes | commits | commits per part | rollbacks | deadlocks | executing, ms | lock waits > 1 ms, by table | waited, ms | waited ÷ executing | waited ÷ part requests | sampled: executing / waiting on a lock | s3rver requests |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var group in byNodes)
        {
            var pg = group.Select(p => p.Postgres).Aggregate((a, b) => a + b);
            var waits = LoggedLockWaits.Sum(group.Select(p => p.LockWaits));
            var samples = LockSamples.Sum(group.Select(p => p.Samples));
            var requests = RequestCounts.Sum(group.Select(p => p.S3));
            var parts = group.Count() * options.Parts;
            text.AppendLine(Invariant(
                $"| {group.Key} | {pg.Commits} | {(double)pg.Commits / parts:F1} | {pg.Rollbacks} | {pg.Deadlocks} | {pg.ActiveMilliseconds:F0} | {waits} | {waits.Milliseconds:F0} | {Ratio(waits.Milliseconds, pg.ActiveMilliseconds)} | {Ratio(waits.Milliseconds, group.Sum(p => p.PartRequests.TotalMilliseconds))} | {samples.ActiveSessions} / {samples.WaitingSessions} | {requests} |"));
        }

        text.AppendLine();
    }

    private static void RenderComplete(StringBuilder text, NodesOptions options, IReadOnlyList<CompleteResult> completes)
    {
        var small = completes[0];
        var smallMedian = Median(small.Milliseconds);
        text.AppendLine(Invariant($"complete on S3 (no md5): {options.CompleteReps} repetitions of each after one uncounted round, parts sent 4 at a time through every node in turn{(options.SyncBeforeComplete ? ", then `sync` (so the disk's backlog of s3rver's writes falls on neither)" : ", complete right after the last part")}; the s3rver requests are those that arrived while complete ran (health probes left out)."));
        text.AppendLine();
        text.AppendLine(Invariant($"| upload | complete p50 ms | min | max | ÷ 1 MiB (≤ {MaxCompleteRatio:F0}) | s3rver requests during complete, all repetitions |"));
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var result in completes)
        {
            var median = Median(result.Milliseconds);
            var ratio = result == small ? "" : Invariant($"{median / smallMedian:F2}") + (median / smallMedian <= MaxCompleteRatio ? " met" : " **not met**");
            text.AppendLine(Invariant(
                $"| {result.Shape} | {median:F1} | {result.Milliseconds.Min():F1} | {result.Milliseconds.Max():F1} | {ratio} | {RequestCounts.Sum(result.Requests)} |"));
        }
    }

    private static string Ratio(double part, double whole) => whole <= 0 ? "n/a" : (part / whole).ToString("P1", CultureInfo.InvariantCulture);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
