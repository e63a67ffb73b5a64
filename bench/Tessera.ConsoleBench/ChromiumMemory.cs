using System.Globalization;

namespace Tessera.ConsoleBench;

/// <summary>
/// What the page costs in memory: its JavaScript heap (CDP <c>Performance.getMetrics</c>, <c>JSHeapUsedSize</c>) and
/// the resident memory of Chromium's renderer processes and of all its processes (from <c>/proc</c>, by the process
/// ids CDP's <c>SystemInfo.getProcessInfo</c> reports).
/// </summary>
internal sealed class ChromiumMemory(BrowserTab tab, CdpConnection browser)
{
    public static async Task<ChromiumMemory> AttachAsync(HeadlessChromium chromium, BrowserTab tab, CancellationToken cancellationToken)
    {
        await tab.SendAsync("Performance.enable", cancellationToken: cancellationToken);
        return new ChromiumMemory(tab, chromium.Browser);
    }

    public async Task<Sample> SampleAsync(CancellationToken cancellationToken)
    {
        var metrics = await tab.SendAsync("Performance.getMetrics", cancellationToken: cancellationToken);
        var heap = metrics.GetProperty("metrics").EnumerateArray()
            .First(metric => metric.GetProperty("name").GetString() == "JSHeapUsedSize").GetProperty("value").GetDouble();
        var processes = await browser.SendAsync("SystemInfo.getProcessInfo", cancellationToken: cancellationToken);
        long renderer = 0, all = 0;
        foreach (var process in processes.GetProperty("processInfo").EnumerateArray())
        {
            var rss = ResidentBytes(process.GetProperty("id").GetInt32());
            all += rss;
            if (process.GetProperty("type").GetString() == "renderer")
            {
                // The page's renderer; a spare one Chromium keeps warm is far smaller and does not win.
                renderer = Math.Max(renderer, rss);
            }
        }

        return new Sample((long)heap, renderer, all);
    }

    private static long ResidentBytes(int processId)
    {
        try
        {
            var line = File.ReadLines($"/proc/{processId}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Bytes: the page's JS heap in use, its renderer's resident set, and all Chromium processes' together.</summary>
    public sealed record Sample(long JsHeap, long RendererRss, long ChromiumRss)
    {
        public static Sample Max(Sample a, Sample b) =>
            new(Math.Max(a.JsHeap, b.JsHeap), Math.Max(a.RendererRss, b.RendererRss), Math.Max(a.ChromiumRss, b.ChromiumRss));
    }
}
