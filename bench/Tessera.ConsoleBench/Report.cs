using System.Globalization;
using System.Text;

namespace Tessera.ConsoleBench;

/// <summary>
/// The markdown tables: each way's time, rate and CPU with the page's ratio to the CLI, the page's speed with its
/// check against without, then the page's memory.
/// </summary>
internal static class Report
{
    public const double MinRatio = 0.8;

    public static string Render(long bytes, int reps, IReadOnlyDictionary<string, List<Measured>> runs, IReadOnlyList<PageRun> pageRuns)
    {
        var text = new StringBuilder();
        var cli = Median(runs["cli"], run => run.Elapsed.TotalSeconds);
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| {Size(bytes)} upload (medians of {reps}) | s | MB/s | ÷ `tessera upload` | CPU s, whole machine | of which the server | cores busy ({Environment.ProcessorCount}) |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        Row("`tessera upload` (64 MiB parts x 4; it hashes the MD5 as it reads, the server checks it at complete)", "cli");
        Row("console page in headless Chromium (16 MiB parts x 4, each part's CRC32C in WebAssembly sent with it and checked by the server as it arrives)", "page", target: true);
        Row("console page with \"Check each part's CRC32C\" off", "pageunchecked", target: true);
        Row("*diagnostic:* `tessera upload --no-md5`", "clinomd5");
        Row("*diagnostic:* a page script's plain `fetch` of 16 MiB parts x 4, no checksum, no interface (Chromium's ceiling with the page's parts)", "fetch16");
        Row("*diagnostic:* the same `fetch` with 64 MiB parts x 4 (the CLI's)", "fetch64");
        Row("*diagnostic:* the page's part CRC32Cs of the file alone (its worker reading each part), nothing sent", "hash");
        text.AppendLine();
        var checkedPage = Median(runs["page"], run => run.Elapsed.TotalSeconds);
        var uncheckedPage = Median(runs["pageunchecked"], run => run.Elapsed.TotalSeconds);
        text.AppendLine(CultureInfo.InvariantCulture,
            $"The page with its CRC32C check goes at **{F(uncheckedPage / checkedPage, 2)}** of its speed without ({F(checkedPage, 2)} s against {F(uncheckedPage, 2)} s).");
        text.AppendLine();

        text.AppendLine("| the page's memory (MB; highest of its runs, with the check and without) | before | at 256 MiB sent | at the end | peak | end ÷ 256 MiB |");
        text.AppendLine("|---|---|---|---|---|---|");
        MemoryRow("JS heap used (CDP `JSHeapUsedSize`)", sample => sample.JsHeap);
        MemoryRow("renderer process RSS", sample => sample.RendererRss);
        MemoryRow("all Chromium processes' RSS", sample => sample.ChromiumRss);
        text.AppendLine();
        text.AppendLine("Each run, seconds (CPU seconds of the whole machine): " + string.Join("; ", runs.Select(r =>
            $"{r.Key} {string.Join(" ", r.Value.Select(run => $"{F(run.Elapsed.TotalSeconds, 2)} ({F(run.Cpu.Machine, 1)})"))}")));
        return text.ToString();

        void Row(string label, string name, bool target = false)
        {
            var measured = runs[name];
            var seconds = Median(measured, run => run.Elapsed.TotalSeconds);
            var ratio = cli / seconds;
            var ratioText = target ? $"**{F(ratio, 2)}** {(ratio >= MinRatio ? "✓" : "✗")} (≥ {F(MinRatio, 1)})" : F(ratio, 2);
            var busy = Median(measured, run => run.Cpu.Machine / run.Elapsed.TotalSeconds / Environment.ProcessorCount);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {label} | {F(seconds, 2)} | {F(bytes / seconds / 1e6, 0)} | {ratioText} | {F(Median(measured, run => run.Cpu.Machine), 1)} | {F(Median(measured, run => run.Cpu.Server), 1)} | {F(busy * 100, 0)} % |");
        }

        void MemoryRow(string label, Func<ChromiumMemory.Sample, long> of)
        {
            var quarter = pageRuns.Max(run => of(run.AtQuarter));
            var end = pageRuns.Max(run => of(run.AtEnd));
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {label} | {Mb(pageRuns.Max(run => of(run.Before)))} | {Mb(quarter)} | {Mb(end)} | {Mb(pageRuns.Max(run => of(run.Peak)))} | {F((double)end / quarter, 2)} |");
        }
    }

    private static double Median(List<Measured> runs, Func<Measured, double> of)
    {
        var sorted = runs.Select(of).Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Mb(long bytes) => F(bytes / 1e6, 0);

    private static string Size(long bytes) => bytes % (1L << 30) == 0 ? $"{bytes >> 30} GiB" : $"{F(bytes / 1048576.0, 0)} MiB";

    private static string F(double value, int decimals) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
