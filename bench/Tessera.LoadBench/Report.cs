using System.Globalization;
using System.Text;

namespace Tessera.LoadBench;

/// <summary>The markdown table: each phase's requests/s, each operation's p50/p99, and the ratios to list with their targets.</summary>
internal static class Report
{
    public const double MinThroughputRatio = 0.5;
    public const double MaxTailRatio = 4.0;

    public static string Render(PhaseResult baseline, IReadOnlyList<PhaseResult> writes, IReadOnlyList<PhaseResult> others)
    {
        var table = new StringBuilder();
        table.AppendLine("| phase | operation | requests | req/s (phase) | p50 ms | p99 ms | req/s ÷ list (≥ 0.5) | p99 ÷ list p99 (≤ 4) |");
        table.AppendLine("|---|---|---|---|---|---|---|---|");
        var listP99 = PhaseResult.Percentile(baseline.ByOperation["list"], 0.99);
        AppendPhase(table, baseline, null, null);
        foreach (var phase in writes)
        {
            AppendPhase(table, phase, phase.RequestsPerSecond / baseline.RequestsPerSecond, listP99);
        }

        foreach (var phase in others)
        {
            AppendPhase(table, phase, null, null);
        }

        return table.ToString();
    }

    private static void AppendPhase(StringBuilder table, PhaseResult phase, double? throughputRatio, double? listP99)
    {
        var first = true;
        foreach (var (operation, samples) in phase.ByOperation.OrderBy(o => Order(o.Key)))
        {
            var p99 = PhaseResult.Percentile(samples, 0.99);
            var rate = first ? F(phase.RequestsPerSecond, 0) : "";
            var rateRatio = first && throughputRatio is { } r ? Verdict(r, r >= MinThroughputRatio) : "";
            var tailRatio = listP99 is { } l ? Verdict(p99 / l, p99 / l <= MaxTailRatio) : "";
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {(first ? phase.Name : "")} | {operation} | {samples.Count} | {rate} | {F(PhaseResult.Percentile(samples, 0.5), 1)} | {F(p99, 1)} | {rateRatio} | {tailRatio} |");
            first = false;
        }
    }

    private static int Order(string operation) => Array.IndexOf(["list", "create", "part", "complete", "cancel", "delete"], operation);

    private static string Verdict(double ratio, bool met) => F(ratio, 2) + (met ? " met" : " **not met**");

    private static string F(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);
}
