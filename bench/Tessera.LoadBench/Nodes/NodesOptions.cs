using System.Globalization;

namespace Tessera.LoadBench.Nodes;

/// <summary>
/// The nodes mode's settings: <c>nodes --targets URL,URL,... --postgres CONNECTION --postgres-log PATH --s3-log PATH</c>
/// [--database tessera] [--clients 16] [--uploads 4] [--parts 96] [--part-mib 4] [--rounds 3] [--settle 11]
/// [--complete-reps 5] [--complete-parts 16] [--complete-part-mib 64] [--sync-before-complete 1]. bench/nodes.sh starts the cluster and passes them.
/// </summary>
internal sealed record NodesOptions(
    IReadOnlyList<Uri> Targets, string Postgres, string Database, string PostgresLog, string S3Log,
    int Clients, int Uploads, int Parts, int PartMiB, int Rounds, TimeSpan Settle,
    int CompleteReps, int CompleteParts, int CompletePartMiB, bool SyncBeforeComplete)
{
    public static NodesOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }

        string Required(string name) => values.GetValueOrDefault(name) ?? throw new ArgumentException($"nodes: --{name} is required");
        int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var targets = Required("targets").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => new Uri(t.TrimEnd('/') + "/")).ToArray();
        var options = new NodesOptions(targets, Required("postgres"), values.GetValueOrDefault("database") ?? "tessera",
            Required("postgres-log"), Required("s3-log"), Int("clients", 16), Int("uploads", 4), Int("parts", 96), Int("part-mib", 4),
            Int("rounds", 3), TimeSpan.FromSeconds(Int("settle", 11)), Int("complete-reps", 5), Int("complete-parts", 16), Int("complete-part-mib", 64),
            Int("sync-before-complete", 1) != 0);
        if (options.Parts % options.Uploads != 0)
        {
            throw new ArgumentException("nodes: --parts must be a multiple of --uploads, so every upload gets as many parts");
        }

        return options;
    }
}
