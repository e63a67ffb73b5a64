using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;

namespace Tessera.Console.Tests.Infrastructure;

/// <summary>
/// One test's world: a real Tessera (Kestrel, SQLite, a data folder; keyed with projects alpha and beta unless
/// <see cref="OpenMode"/>), a fresh browser context on the shared Chromium, and the console page in it, which reaches
/// the server through a link the test may slow (<see cref="ThrottlingProxy"/>). On failure it saves a screenshot of the
/// page and says where, with what the page logged.
/// </summary>
public abstract class ConsoleTest(Chromium chromium) : IAsyncLifetime
{
    /// <summary>The part size the tests give the console (its own default is larger), set in every page they open.</summary>
    public const int PartSize = 4 * 1024 * 1024;

    private readonly ConcurrentQueue<string> _dialogs = new();
    private readonly ConcurrentQueue<string> _pageLog = new();
    private DirectoryInfo? _files;

    /// <summary>The link between the page and the server (full speed unless a test slows it).</summary>
    private ThrottlingProxy? _link;

    protected virtual bool OpenMode => false;

    /// <summary>Settings a test class adds to the server's (a quota, say).</summary>
    protected virtual IReadOnlyDictionary<string, string>? ServerSettings => null;

    protected TesseraTestServer Server { get; private set; } = null!;

    /// <summary>The part requests the server saw.</summary>
    protected PartTraffic Parts { get; } = new();

    protected IBrowserContext Context { get; private set; } = null!;

    protected IPage Page { get; private set; } = null!;

    /// <summary>The messages of every alert, confirm or prompt the page opened (each dismissed at once).</summary>
    protected IReadOnlyCollection<string> Dialogs => _dialogs;

    protected static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>What the test puts into the server: the part counter, and whatever a test adds behind it.</summary>
    protected virtual void ConfigureServerServices(IServiceCollection services) => Parts.Register(services);

    public async ValueTask InitializeAsync()
    {
        Server = await TesseraTestServer.StartAsync(OpenMode, ServerSettings, configureServices: ConfigureServerServices);
        _link = ThrottlingProxy.Start(Server.Root);
        _files = Directory.CreateTempSubdirectory("tessera-console-test-");
        Context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = _link.Root.ToString(),
            AcceptDownloads = true,
            ViewportSize = new ViewportSize { Width = 1280, Height = 1000 },
        });
        Context.SetDefaultTimeout(30_000);
        await Context.AddInitScriptAsync(PageRecorder.Script);
        await Context.AddInitScriptAsync($"sessionStorage.setItem('tessera.partSize', '{PartSize}');");
        Page = await Context.NewPageAsync();
        Page.Dialog += (_, dialog) =>
        {
            _dialogs.Enqueue(dialog.Message);
            _ = dialog.DismissAsync();
        };
        Page.Console += (_, message) => _pageLog.Enqueue($"console.{message.Type}: {message.Text}");
        Page.PageError += (_, error) => _pageLog.Enqueue($"uncaught: {error}");
        Page.RequestFailed += (_, request) => _pageLog.Enqueue($"request failed: {request.Method} {request.Url} {request.Failure}");
    }

    public async ValueTask DisposeAsync()
    {
        // Null when InitializeAsync itself failed part way: what did start is still stopped.
        if (Page is not null && TestContext.Current.TestState?.Result == TestResult.Failed)
        {
            await SaveFailureEvidenceAsync();
        }

        if (Context is not null)
        {
            await Context.CloseAsync();
        }

        if (_link is not null)
        {
            await _link.DisposeAsync();
        }

        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        try
        {
            _files?.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not a test failure.
        }

        GC.SuppressFinalize(this);
    }

    private async Task SaveFailureEvidenceAsync()
    {
        var output = TestContext.Current.TestOutputHelper;
        var name = TestContext.Current.Test?.TestDisplayName ?? GetType().Name;
        var path = Artifacts.PathFor(name, "png");
        try
        {
            await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Timeout = 10_000 });
            output?.WriteLine($"Screenshot of the page at failure: {path}");
        }
        catch (PlaywrightException e)
        {
            output?.WriteLine($"No screenshot ({e.Message}); the page was at {Page.Url}");
        }

        foreach (var line in _pageLog)
        {
            output?.WriteLine(line);
        }
    }

    /// <summary>Opens the console and, given a key, signs in with it; returns once the project's heading shows.</summary>
    protected async Task OpenConsoleAsync(string? key = null, string? project = null)
    {
        await Page.GotoAsync("/console");
        if (key is not null)
        {
            await Page.GetByLabel("API key", new() { Exact = true }).FillAsync(key);
            await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        }

        if (project is not null)
        {
            await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = project, Exact = true })).ToBeVisibleAsync();
        }
    }

    protected Task SignInAsync(string key, string project) => OpenConsoleAsync(key, project);

    protected ILocator Region(string name) => Page.GetByRole(AriaRole.Region, new() { Name = name, Exact = true });

    protected ILocator Button(string name) => Page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    protected ILocator FilesTable => Region("Files").GetByRole(AriaRole.Table, new() { Name = "Files", Exact = true });

    protected ILocator FileRow(string fileId) => FilesTable.Locator($"tr[data-file-id='{fileId}']");

    protected ILocator PendingRow(string uploadId) =>
        Region("Pending uploads").GetByRole(AriaRole.Table, new() { Name = "Pending uploads", Exact = true })
            .Locator($"tr[data-upload-id='{uploadId}']");

    protected ILocator UploadStatus => Region("Upload").Locator("[data-upload-status]");

    protected ILocator Alert => Page.GetByRole(AriaRole.Alert);

    /// <summary>The number the usage region shows for <paramref name="what"/> (bytes, files, pending_uploads).</summary>
    protected ILocator Usage(string what) => Region("Usage").Locator($"[data-usage='{what}']");

    /// <summary>A file of random bytes on disk, as a user would pick; returns its path.</summary>
    protected string MakeFile(string name, int bytes)
    {
        var path = Path.Combine(_files!.FullName, name);
        var content = new byte[bytes];
        Random.Shared.NextBytes(content);
        File.WriteAllBytes(path, content);
        return path;
    }

    protected static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Picks <paramref name="path"/> in the upload form, chooses the purpose, and presses Upload.</summary>
    protected async Task StartUploadAsync(string path, string? purpose = null)
    {
        var upload = Region("Upload");
        await upload.GetByLabel("File to upload", new() { Exact = true }).SetInputFilesAsync(path);
        if (purpose is not null)
        {
            await upload.GetByLabel("Upload purpose", new() { Exact = true }).SelectOptionAsync(purpose);
        }

        await upload.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();
    }

    /// <summary>The id of the upload the form started, once the page shows it.</summary>
    protected async Task<string> UploadIdAsync()
    {
        var carrier = Region("Upload").Locator("[data-upload-id^='upload_']").First;
        await carrier.WaitForAsync(new() { State = WaitForSelectorState.Attached });
        return (await carrier.GetAttributeAsync("data-upload-id"))!;
    }

    /// <summary>
    /// Limits what the page may send to <paramref name="bytesPerSecond"/> in all, shared among parallel requests, as a
    /// slow uplink would (<see cref="ThrottlingProxy"/>), so "midway" comes at a known pace. A checked part is sent from
    /// bytes in memory, which Chromium copies into the DevTools events Playwright listens to before it goes out: under
    /// Playwright such parts start one after another, a second or so apart on a busy machine, so a test that needs them
    /// to overlap on the server slows the link enough that each takes longer than that to send.
    /// </summary>
    protected void ThrottleUploads(long bytesPerSecond) => _link!.BytesPerSecond = bytesPerSecond;

    protected void StopThrottling() => _link!.BytesPerSecond = 0;

    /// <summary>
    /// Waits for the status to say Uploaded, for a minute at most: a checked upload of tens of MB under Playwright (see
    /// <see cref="ThrottleUploads"/>) beside another test's takes longer than the usual wait on a busy machine.
    /// </summary>
    protected Task ExpectUploadedAsync() =>
        Assertions.Expect(UploadStatus).ToContainTextAsync("Uploaded", new() { Timeout = 60_000 });

    protected static int PartsOf(long bytes) => (int)((bytes + PartSize - 1) / PartSize);

    protected static Regex Text(string pattern) => new(pattern, RegexOptions.IgnoreCase);
}
