using System.Diagnostics;
using System.Text.Json;

namespace Tessera.ConsoleBench;

/// <summary>
/// One tab of <see cref="HeadlessChromium"/>, in a browser context of its own (storage, cookies), driven as a user
/// would: open a page, pick a file, click; plus scripts run in the page to read what it shows.
/// </summary>
internal sealed class BrowserTab(CdpConnection browser, string contextId, string sessionId) : IAsyncDisposable
{
    public static async Task<BrowserTab> OpenAsync(CdpConnection browser, CancellationToken cancellationToken)
    {
        var context = (await browser.SendAsync("Target.createBrowserContext", cancellationToken: cancellationToken))
            .GetProperty("browserContextId").GetString()!;
        var target = (await browser.SendAsync("Target.createTarget", new { url = "about:blank", browserContextId = context }, cancellationToken: cancellationToken))
            .GetProperty("targetId").GetString()!;
        var session = (await browser.SendAsync("Target.attachToTarget", new { targetId = target, flatten = true }, cancellationToken: cancellationToken))
            .GetProperty("sessionId").GetString()!;
        return new BrowserTab(browser, context, session);
    }

    /// <summary>Sends a command to this tab.</summary>
    public Task<JsonElement> SendAsync(string method, object? parameters = null, CancellationToken cancellationToken = default) =>
        browser.SendAsync(method, parameters, sessionId, cancellationToken);

    /// <summary>Opens <paramref name="url"/> and returns once <paramref name="readyWhen"/> (a script's expression) holds in it.</summary>
    public async Task NavigateAsync(Uri url, string readyWhen, CancellationToken cancellationToken)
    {
        await SendAsync("Page.navigate", new { url = url.ToString() }, cancellationToken);
        await WaitForAsync($"location.href === {JsonSerializer.Serialize(url.ToString())} && document.readyState === 'complete' && ({readyWhen})", cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="expression"/> in the page, awaiting it when it is a promise, and returns its value as JSON;
    /// throws with the page's message when it throws.
    /// </summary>
    public async Task<JsonElement> EvaluateAsync(string expression, CancellationToken cancellationToken)
    {
        var answer = await SendAsync("Runtime.evaluate", new { expression, awaitPromise = true, returnByValue = true }, cancellationToken);
        if (answer.TryGetProperty("exceptionDetails", out var failure))
        {
            var description = failure.TryGetProperty("exception", out var exception) && exception.TryGetProperty("description", out var text)
                ? text.GetString()
                : failure.GetProperty("text").GetString();
            throw new InvalidOperationException($"The page's script failed: {description}");
        }

        return answer.GetProperty("result").TryGetProperty("value", out var value) ? value.Clone() : default;
    }

    /// <summary>Polls <paramref name="condition"/> every 20 ms until it holds; gives up after 30 s.</summary>
    public async Task WaitForAsync(string condition, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!(await EvaluateAsync($"Boolean({condition})", cancellationToken)).GetBoolean())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"The page never showed {condition}.");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Picks <paramref name="path"/> in the file input <paramref name="selector"/>, as the file dialog would.</summary>
    public async Task SetInputFileAsync(string selector, string path, CancellationToken cancellationToken)
    {
        var document = await SendAsync("DOM.getDocument", new { depth = 0 }, cancellationToken);
        var input = await SendAsync("DOM.querySelector", new { nodeId = document.GetProperty("root").GetProperty("nodeId").GetInt32(), selector }, cancellationToken);
        await SendAsync("DOM.setFileInputFiles", new { nodeId = input.GetProperty("nodeId").GetInt32(), files = new[] { path } }, cancellationToken);
    }

    /// <summary>
    /// Clicks <paramref name="selector"/>'s element through the DOM: the page's own handlers run as for a user's click,
    /// whatever the layout or the focus of a headless tab.
    /// </summary>
    public async Task ClickAsync(string selector, CancellationToken cancellationToken) =>
        await EvaluateAsync($"document.querySelector({JsonSerializer.Serialize(selector)}).click()", cancellationToken);

    public async ValueTask DisposeAsync()
    {
        using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await browser.SendAsync("Target.disposeBrowserContext", new { browserContextId = contextId }, cancellationToken: closing.Token);
    }
}
