using System.Diagnostics;

namespace Tessera.ConsoleBench;

/// <summary>
/// One upload through the console as a user makes it: a fresh tab, pick the file, press Upload, until the status says
/// Uploaded. Samples the page's memory every quarter second: when the progress bar passes 256 MiB, at the end, and
/// the highest seen.
/// </summary>
internal static class PageUpload
{
    private const long SampleAtBytes = 256L * 1024 * 1024;

    private const string Status = "document.querySelector('[data-upload-status]')?.textContent ?? ''";

    /// <summary>
    /// Sets up <c>window.benchFinished</c>, which resolves once the status says the upload is over, checked every 20 ms
    /// in the page, so the clock stops within 20 ms of the page showing it whatever the benchmark's own sampling pace.
    /// The script's value is not that promise, which Runtime.evaluate would otherwise wait for before the upload starts.
    /// </summary>
    private const string WatchForTheEnd = $$"""
        window.benchFinished = new Promise((resolve) => {
          const timer = setInterval(() => {
            if (/Uploaded|Cancelled|failed|error/i.test({{Status}})) { clearInterval(timer); resolve(); }
          }, 20);
        });
        true;
        """;

    /// <summary>Whether the upload is over, waiting for it 250 ms at most; and the bytes the progress bar shows.</summary>
    private const string Poll = """
        Promise.race([window.benchFinished.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 250))])
          .then((finished) => ({ finished, sent: Number(document.querySelector('#upload-progress')?.value ?? 0) }))
        """;

    public static async Task<PageRun> RunAsync(
        HeadlessChromium chromium, Uri root, string file, CpuTime cpu, bool verify, CancellationToken cancellationToken)
    {
        await using var tab = await chromium.NewTabAsync(cancellationToken);
        await tab.NavigateAsync(new Uri(root, "console"), "document.querySelector('#upload-start') !== null", cancellationToken);
        var memory = await ChromiumMemory.AttachAsync(chromium, tab, cancellationToken);
        await tab.SetInputFileAsync("#upload-file", file, cancellationToken);
        await tab.EvaluateAsync("""
            (() => {
              const purpose = document.querySelector('#upload-purpose');
              purpose.value = 'batch';
              purpose.dispatchEvent(new Event('change', { bubbles: true }));
            })()
            """, cancellationToken);
        if ((await tab.EvaluateAsync("document.querySelector('#upload-verify').checked", cancellationToken)).GetBoolean() != verify)
        {
            await tab.ClickAsync("#upload-verify", cancellationToken);
        }

        var before = await memory.SampleAsync(cancellationToken);
        await tab.EvaluateAsync(WatchForTheEnd, cancellationToken);
        var spent = cpu.Read();
        var clock = Stopwatch.StartNew();
        await tab.ClickAsync("#upload-start", cancellationToken);
        ChromiumMemory.Sample? atQuarter = null;
        var peak = before;
        while (true)
        {
            var poll = await tab.EvaluateAsync(Poll, cancellationToken);
            if (poll.GetProperty("finished").GetBoolean())
            {
                break;
            }

            var sample = await memory.SampleAsync(cancellationToken);
            peak = ChromiumMemory.Sample.Max(peak, sample);
            if (atQuarter is null && poll.GetProperty("sent").GetDouble() >= SampleAtBytes)
            {
                atQuarter = sample;
            }
        }

        var measured = new Measured(clock.Elapsed, cpu.Since(spent));
        var status = (await tab.EvaluateAsync(Status, cancellationToken)).GetString() ?? "";
        if (!status.Contains("Uploaded", StringComparison.Ordinal))
        {
            var alert = await tab.EvaluateAsync("[...document.querySelectorAll('[role=alert]')].map((a) => a.textContent).join(' ')", cancellationToken);
            throw new InvalidOperationException($"The page's upload did not finish: {status} {alert.GetString()}");
        }

        var atEnd = await memory.SampleAsync(cancellationToken);
        return new PageRun(measured, before, atQuarter ?? atEnd, atEnd, ChromiumMemory.Sample.Max(peak, atEnd));
    }
}

/// <summary>One page upload: its time and CPU, and the page's memory before, at 256 MiB, at the end, and at its highest.</summary>
internal sealed record PageRun(
    Measured Run, ChromiumMemory.Sample Before, ChromiumMemory.Sample AtQuarter, ChromiumMemory.Sample AtEnd, ChromiumMemory.Sample Peak);
