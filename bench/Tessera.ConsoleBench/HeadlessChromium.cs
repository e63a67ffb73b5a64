using System.Diagnostics;

namespace Tessera.ConsoleBench;

/// <summary>
/// Debian's headless Chromium, started by the benchmark itself and driven over the DevTools protocol with nothing in
/// between. Not Playwright: Playwright enables the protocol's Network domain in every tab, and Chromium then copies
/// the body of every request sent from bytes (not from a file) into a DevTools event, which the console's checked
/// upload does with every part: under Playwright a 1 GiB checked upload took about 95 s against about 6 s without.
/// Only the Page, DOM and Runtime domains are used in a tab (and Performance and SystemInfo for the memory),
/// never Network, so the page runs as it does in a user's browser.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _profile;

    private HeadlessChromium(Process process, DirectoryInfo profile, CdpConnection browser)
    {
        _process = process;
        _profile = profile;
        Browser = browser;
    }

    /// <summary>The connection to the browser itself; tabs send their commands over it with their session id.</summary>
    public CdpConnection Browser { get; }

    public static async Task<HeadlessChromium> LaunchAsync(string executable, CancellationToken cancellationToken)
    {
        var profile = Directory.CreateTempSubdirectory("tessera-consolebench-chromium-");
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "--headless=new",
            "--remote-debugging-port=0",
            $"--user-data-dir={profile.FullName}",
            // The sandbox cannot start as root, which the benchmark may be; Playwright turns it off too.
            "--no-sandbox",
            // /dev/shm is small in containers; Chromium's renderer then crashes on large blobs.
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "about:blank",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        // Read and dropped, so a chatty browser never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Chromium writes the port it chose and the browser's WebSocket path here once it listens.
        var portFile = Path.Combine(profile.FullName, "DevToolsActivePort");
        var clock = Stopwatch.StartNew();
        string[] lines;
        while ((lines = File.Exists(portFile) ? await File.ReadAllLinesAsync(portFile, cancellationToken) : []).Length < 2)
        {
            if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"{executable} did not open its DevTools port (exited: {process.HasExited}).");
            }

            await Task.Delay(100, cancellationToken);
        }

        var browser = await CdpConnection.ConnectAsync(new Uri($"ws://127.0.0.1:{lines[0]}{lines[1]}"), cancellationToken);
        return new HeadlessChromium(process, profile, browser);
    }

    /// <summary>A fresh tab in a fresh browser context (its own storage, as a new profile), at <c>about:blank</c>.</summary>
    public Task<BrowserTab> NewTabAsync(CancellationToken cancellationToken) => BrowserTab.OpenAsync(Browser, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await Browser.SendAsync("Browser.close", cancellationToken: closing.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            // Already gone or not answering: it is stopped below.
        }

        await Browser.DisposeAsync();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        try
        {
            _profile.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A profile folder left in /tmp is not worth failing a finished benchmark for.
        }
    }
}
