using System.Globalization;
using System.Text;

namespace Tessera.ConsoleBench;

/// <summary>The markdown tables: each way's time and rate with the page's ratio to the CLI, then the page's memory.</summary>
internal static class Report
{
    public const double MinRatio = 0.8;

    public static string Render(long bytes, int reps, IReadOnlyDictionary<string, List<TimeSpan>> runs, IReadOnlyList<PageRun> pageRuns)
    {
        var text = new StringBuilder();
        var cli = Median(runs["cli"]);
        text.AppendLine(CultureInfo.InvariantCulture, $"| {Size(bytes)} upload (median of {reps}) | s | MB/s | ÷ `tessera upload` |");
        text.AppendLine("|---|---|---|---|");
        Row("`tessera upload` (64 MiB parts x 4, MD5)", cli);
        Row("`tessera upload --part-size 4MiB` (4 MiB parts x 4, MD5)", Median(runs["cli4"]));
        var page = Median(runs["page"]);
        var ratio = cli / page;
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| console page in headless Chromium (16 MiB parts x 4, each part's MD5 in WebAssembly checked against the server's) | {F(page, 2)} | {F(bytes / page / 1e6, 0)} | **{F(ratio, 2)}** {(ratio >= MinRatio ? "✓" : "✗")} (≥ {F(MinRatio, 1)}) |");
        text.AppendLine("| *diagnostic:* `tessera upload --part-size 4MiB --no-md5` | " + Cells(Median(runs["cli4nomd5"])));
        text.AppendLine("| *diagnostic:* a page script's plain `fetch` of 4 MiB parts x 4, no MD5, no interface (Chromium's ceiling with the former parts) | " + Cells(Median(runs["fetch"])));
        text.AppendLine("| *diagnostic:* the same `fetch`, completed with the file's MD5 (hashed beforehand, untimed; the server checks it) | " + Cells(Median(runs["fetchmd5"])));
        text.AppendLine("| *diagnostic:* the same plain `fetch` with 16 MiB parts x 4 (the console's parts now) | " + Cells(Median(runs["fetch16"])));
        text.AppendLine("| *diagnostic:* the console's part MD5s of the file alone (its worker reading the file as a stream), nothing sent | " + Cells(Median(runs["hash"])));
        text.AppendLine();

        text.AppendLine("| the page's memory (MB; highest of the runs) | before | at 256 MiB sent | at the end | peak | end ÷ 256 MiB |");
        text.AppendLine("|---|---|---|---|---|---|");
        MemoryRow("JS heap used (CDP `JSHeapUsedSize`)", sample => sample.JsHeap);
        MemoryRow("renderer process RSS", sample => sample.RendererRss);
        MemoryRow("all Chromium processes' RSS", sample => sample.ChromiumRss);
        text.AppendLine();
        text.AppendLine("Each run, seconds: " + string.Join("; ", runs.Select(r => $"{r.Key} {string.Join(" ", r.Value.Select(t => F(t.TotalSeconds, 2)))}")));
        return text.ToString();

        void Row(string label, double seconds) => text.AppendLine($"| {label} | {Cells(seconds)}");

        string Cells(double seconds) => $"{F(seconds, 2)} | {F(bytes / seconds / 1e6, 0)} | {F(cli / seconds, 2)} |";

        void MemoryRow(string label, Func<ChromiumMemory.Sample, long> of)
        {
            var quarter = pageRuns.Max(run => of(run.AtQuarter));
            var end = pageRuns.Max(run => of(run.AtEnd));
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {label} | {Mb(pageRuns.Max(run => of(run.Before)))} | {Mb(quarter)} | {Mb(end)} | {Mb(pageRuns.Max(run => of(run.Peak)))} | {F((double)end / quarter, 2)} |");
        }
    }

    private static double Median(List<TimeSpan> values)
    {
        var sorted = values.Select(v => v.TotalSeconds).Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Mb(long bytes) => F(bytes / 1e6, 0);

    private static string Size(long bytes) => bytes % (1L << 30) == 0 ? $"{bytes >> 30} GiB" : $"{F(bytes / 1048576.0, 0)} MiB";

    private static string F(double value, int decimals) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
