using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Tessera.ConsoleBench;

// Usage: dotnet Tessera.ConsoleBench.dll --url http://127.0.0.1:PORT/ --file FILE --cli "path/to/tessera"
//        [--reps 3] [--warmups 1] [--chromium /usr/bin/chromium]. bench/console.sh builds everything, starts an
//        open-mode server and passes these. Prints the markdown tables on standard output.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
var cancellationToken = stop.Token;
var options = Options.Parse(args);
var bytes = new FileInfo(options.File).Length;
string fileMd5;
await using (var content = File.OpenRead(options.File))
{
#pragma warning disable CA5351 // MD5 is the API's own checksum, not a security measure
    fileMd5 = Convert.ToHexStringLower(await System.Security.Cryptography.MD5.HashDataAsync(content, cancellationToken));
#pragma warning restore CA5351
}

var home = Directory.CreateTempSubdirectory("tessera-consolebench-home-").FullName;
using var api = new HttpClient { BaseAddress = new Uri(options.Root, "v1/") };
api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "bench");

using var playwright = await Playwright.CreateAsync();
await using var chromium = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = options.Chromium,
    Headless = true,
    Args = ["--disable-dev-shm-usage"],
});

var runs = new Dictionary<string, List<TimeSpan>>(StringComparer.Ordinal);
var pageRuns = new List<PageRun>();
async Task RunAllAsync(bool counted)
{
    // Each in turn, so whatever else the machine does falls on all of them alike.
    var page = await PageUpload.RunAsync(chromium, options.Root, options.File, cancellationToken);
    await SettleAsync();
    var cli = await CliUpload.RunAsync(options.Cli, options.Root, options.File, [], home, cancellationToken);
    await SettleAsync();
    var cliSmallParts = await CliUpload.RunAsync(options.Cli, options.Root, options.File, ["--part-size", "4MiB"], home, cancellationToken);
    await SettleAsync();
    var fetch = await FetchUpload.RunAsync(chromium, options.Root, options.File, null);
    await SettleAsync();
    var fetchMd5 = await FetchUpload.RunAsync(chromium, options.Root, options.File, fileMd5);
    await SettleAsync();
    var fetchLargeParts = await FetchUpload.RunAsync(chromium, options.Root, options.File, null, partMib: 16);
    await SettleAsync();
    var hash = await FetchUpload.HashAsync(chromium, options.Root, options.File);
    var cliNoMd5 = await CliUpload.RunAsync(options.Cli, options.Root, options.File, ["--part-size", "4MiB", "--no-md5"], home, cancellationToken);
    await SettleAsync();
    if (counted)
    {
        Add("page", page.Elapsed);
        Add("cli", cli);
        Add("cli4", cliSmallParts);
        Add("fetch", fetch);
        Add("fetchmd5", fetchMd5);
        Add("fetch16", fetchLargeParts);
        Add("hash", hash);
        Add("cli4nomd5", cliNoMd5);
        pageRuns.Add(page);
    }

    Console.Error.WriteLine(
        $"[consolebench] page {Seconds(page.Elapsed)} s, tessera upload {Seconds(cli)} s, with 4 MiB parts {Seconds(cliSmallParts)} s; " +
        $"fetch without MD5 {Seconds(fetch)} s, with it {Seconds(fetchMd5)} s, with 16 MiB parts {Seconds(fetchLargeParts)} s, the page's MD5 alone {Seconds(hash)} s, tessera upload without MD5 {Seconds(cliNoMd5)} s{(counted ? "" : " (warm-up)")}");
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

void Add(string name, TimeSpan elapsed)
{
    if (!runs.TryGetValue(name, out var list))
    {
        runs[name] = list = [];
    }

    list.Add(elapsed);
}

static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);

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
