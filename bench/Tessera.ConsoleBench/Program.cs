using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Tessera.ConsoleBench;

// Usage: dotnet Tessera.ConsoleBench.dll --url http://127.0.0.1:PORT/ --file FILE --cli "path/to/tessera" --server-pid PID
//        [--reps 3] [--warmups 1] [--chromium /usr/bin/chromium]. bench/console.sh builds everything, starts an
//        open-mode server and passes these. Prints the markdown tables on standard output.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
var cancellationToken = stop.Token;
var options = Options.Parse(args);
var bytes = new FileInfo(options.File).Length;
var home = Directory.CreateTempSubdirectory("tessera-consolebench-home-").FullName;
using var api = new HttpClient { BaseAddress = new Uri(options.Root, "v1/") };
api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "bench");

// Driven over the DevTools protocol directly, not through Playwright: see HeadlessChromium for why.
await using var chromium = await HeadlessChromium.LaunchAsync(options.Chromium, cancellationToken);

var cpu = new CpuTime(options.ServerProcessId);
var runs = new Dictionary<string, List<Measured>>(StringComparer.Ordinal);
var pageRuns = new List<PageRun>();
async Task RunAllAsync(bool counted)
{
    // Each in turn, so whatever else the machine does falls on all of them alike.
    var page = await PageUpload.RunAsync(chromium, options.Root, options.File, cpu, verify: true, cancellationToken);
    await SettleAsync();
    var pageUnchecked = await PageUpload.RunAsync(chromium, options.Root, options.File, cpu, verify: false, cancellationToken);
    await SettleAsync();
    var cli = await CliUpload.RunAsync(options.Cli, options.Root, options.File, [], home, cpu, cancellationToken);
    await SettleAsync();
    var cliNoMd5 = await CliUpload.RunAsync(options.Cli, options.Root, options.File, ["--no-md5"], home, cpu, cancellationToken);
    await SettleAsync();
    var fetch = await FetchUpload.RunAsync(chromium, options.Root, options.File, partMib: 16, cpu, cancellationToken);
    await SettleAsync();
    var fetchLargeParts = await FetchUpload.RunAsync(chromium, options.Root, options.File, partMib: 64, cpu, cancellationToken);
    await SettleAsync();
    var hash = await FetchUpload.HashAsync(chromium, options.Root, options.File, cpu, cancellationToken);
    if (counted)
    {
        Add("page", page.Run);
        Add("pageunchecked", pageUnchecked.Run);
        Add("cli", cli);
        Add("clinomd5", cliNoMd5);
        Add("fetch16", fetch);
        Add("fetch64", fetchLargeParts);
        Add("hash", hash);
        pageRuns.Add(page);
        pageRuns.Add(pageUnchecked);
    }

    Console.Error.WriteLine(
        $"[consolebench] page {Seconds(page.Run)} s, without its CRC32C check {Seconds(pageUnchecked.Run)} s; tessera upload {Seconds(cli)} s, " +
        $"without MD5 {Seconds(cliNoMd5)} s; fetch of 16 MiB parts {Seconds(fetch)} s, of 64 MiB {Seconds(fetchLargeParts)} s; " +
        $"the page's CRC32Cs alone {Seconds(hash)} s{(counted ? "" : " (warm-up)")}");
}

for (var i = 0; i < options.Warmups; i++)
{
    await RunAllAsync(counted: false);
}

for (var i = 0; i < options.Reps; i++)
{
    await RunAllAsync(counted: true);
}

Console.WriteLine(Report.Render(bytes, options.Reps, runs, pageRuns));
Directory.Delete(home, recursive: true);

void Add(string name, Measured run)
{
    if (!runs.TryGetValue(name, out var list))
    {
        runs[name] = list = [];
    }

    list.Add(run);
}

static string Seconds(Measured run) => run.Elapsed.TotalSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);

// Deletes what the run stored, then lets the disk settle, so the next run does not pay for this one's writeback.
async Task SettleAsync()
{
    using var list = await api.GetAsync("files?limit=10000", cancellationToken);
    list.EnsureSuccessStatusCode();
    using var files = JsonDocument.Parse(await list.Content.ReadAsStringAsync(cancellationToken));
    foreach (var file in files.RootElement.GetProperty("data").EnumerateArray())
    {
        using var deleted = await api.DeleteAsync($"files/{file.GetProperty("id").GetString()}", cancellationToken);
        deleted.EnsureSuccessStatusCode();
    }

    await Task.Delay(500, cancellationToken);
    using var sync = Process.Start("sync");
    await sync.WaitForExitAsync(cancellationToken);
}
