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

    public static async Task<PageRun> RunAsync(
        IBrowser chromium, Uri root, string file, CpuTime cpu, bool verify, CancellationToken cancellationToken)
    {
        await using var context = await chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = root.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("console");
        var region = page.GetByRole(AriaRole.Region, new() { Name = "Upload", Exact = true });
        await region.WaitForAsync();
        var memory = await ChromiumMemory.AttachAsync(chromium, page);
        await region.GetByLabel("File to upload", new() { Exact = true }).SetInputFilesAsync(file);
        await region.GetByLabel("Upload purpose", new() { Exact = true }).SelectOptionAsync("batch");
        await region.GetByLabel("Check each part's CRC32C", new() { Exact = true }).SetCheckedAsync(verify);
        var before = await memory.SampleAsync();

        var finished = page.WaitForFunctionAsync(
            "() => /Uploaded|Cancelled|failed|error/i.test(document.querySelector('[data-upload-status]')?.textContent ?? '')",
            null, new PageWaitForFunctionOptions { PollingInterval = 20, Timeout = 0 });
        var spent = cpu.Read();
        var clock = Stopwatch.StartNew();
        await region.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();
        ChromiumMemory.Sample? atQuarter = null;
        var peak = before;
        while (!finished.IsCompleted)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sent = await page.EvaluateAsync<double>("() => Number(document.querySelector('progress[aria-label=\"Upload progress\"]')?.value ?? 0)");
            var sample = await memory.SampleAsync();
            peak = ChromiumMemory.Sample.Max(peak, sample);
            if (atQuarter is null && sent >= SampleAtBytes)
            {
                atQuarter = sample;
            }

            await Task.WhenAny(finished, Task.Delay(250, cancellationToken));
        }

        await finished;
        var measured = new Measured(clock.Elapsed, cpu.Since(spent));
        var status = await page.Locator("[data-upload-status]").TextContentAsync() ?? "";
        if (!status.Contains("Uploaded", StringComparison.Ordinal))
        {
            var alert = await page.GetByRole(AriaRole.Alert).AllTextContentsAsync();
            throw new InvalidOperationException($"The page's upload did not finish: {status} {string.Join(" ", alert)}");
        }

        var atEnd = await memory.SampleAsync();
        return new PageRun(measured, before, atQuarter ?? atEnd, atEnd, ChromiumMemory.Sample.Max(peak, atEnd));
    }
}

/// <summary>One page upload: its time and CPU, and the page's memory before, at 256 MiB, at the end, and at its highest.</summary>
internal sealed record PageRun(
    Measured Run, ChromiumMemory.Sample Before, ChromiumMemory.Sample AtQuarter, ChromiumMemory.Sample AtEnd, ChromiumMemory.Sample Peak);
