[assembly: AssemblyFixture(typeof(Tessera.Console.Tests.Infrastructure.Chromium))]

namespace Tessera.Console.Tests.Infrastructure;

/// <summary>
/// One headless Chromium for the whole test run, Debian's (<c>/usr/bin/chromium</c>) unless
/// <see cref="ExecutableVariable"/> names another. Playwright drives it as it is and never downloads a browser of its
/// own; each test opens a fresh browser context (its own storage, cookies and downloads) on it.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutableVariable = "TESSERA_CHROMIUM";

    public const string DefaultExecutable = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public static string Executable =>
        Environment.GetEnvironmentVariable(ExecutableVariable) is { Length: > 0 } path ? path : DefaultExecutable;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium has not started.");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException(
                $"No Chromium at {Executable}: install Debian's (apt-get install chromium; scripts/test.sh does) or set {ExecutableVariable}.");
        }

        // A busy 2-core machine is slow to paint; the default 5 s is too tight for a click that goes to the server.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            // /dev/shm is small in containers; Chromium's renderer then crashes on large pages or blobs.
            Args = ["--disable-dev-shm-usage"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
