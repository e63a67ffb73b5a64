using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// The web console at <c>/console</c>, as a browser fetches it from a keyed server: the page and every file it loads
/// (followed from the HTML through each module's imports), with their content types, ETags and security headers,
/// needing no key; the API beside it unchanged. What the page does in a browser is tested with a real browser.
/// </summary>
public sealed partial class ConsolePageTests(KeyedServer fixture) : IClassFixture<KeyedServer>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private HttpClient Browser() => new() { BaseAddress = fixture.Server.Root };

    [Theory]
    [InlineData("console")]
    [InlineData("console/")]
    [InlineData("console/index.html")]
    public async Task The_page_is_served_without_a_key_with_a_content_security_policy_that_allows_only_itself(string path)
    {
        using var client = Browser();
        using var response = await client.GetAsync(path, Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>Tessera console</title>", await response.Content.ReadAsStringAsync(Token));
        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", policy);
        Assert.Contains("script-src 'self' 'wasm-unsafe-eval'", policy);
        Assert.Contains("connect-src 'self'", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.True(response.Headers.CacheControl?.NoCache, "the page is revalidated on every load");
    }

    [Fact]
    public async Task Every_file_the_page_loads_is_served_with_its_content_type_and_an_etag()
    {
        using var client = Browser();
        var served = await CrawlAsync(client);

        Assert.Contains("/console/app.js", served.Keys);
        Assert.Contains("/console/upload-engine.js", served.Keys);
        Assert.Contains("/console/crc32c-worker.js", served.Keys);
        Assert.Contains("/console/vendor/hash-wasm/crc32.umd.min.js", served.Keys);
        foreach (var (path, response) in served)
        {
            var expected = Path.GetExtension(path) switch
            {
                ".js" => "text/javascript",
                ".css" => "text/css",
                _ => "text/html",
            };
            Assert.True(expected == response.ContentType, $"{path} is served as {response.ContentType}, not {expected}");
            Assert.True(response.ETag is { IsWeak: false }, $"{path} has a strong ETag");
            Assert.True(response.LastModified is not null, $"{path} has a Last-Modified date");
        }
    }

    [Fact]
    public async Task The_vendored_crc32_library_is_served_with_its_licence()
    {
        using var client = Browser();
        using var response = await client.GetAsync("console/vendor/hash-wasm/LICENSE", Token);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("MIT License", await response.Content.ReadAsStringAsync(Token));
    }

    [Fact]
    public async Task A_revalidation_with_the_etag_answers_304_with_no_body_and_a_stale_etag_gets_the_file()
    {
        using var client = Browser();
        using var first = await client.GetAsync("console/app.js", Token);
        var etag = first.Headers.ETag!;

        using var again = new HttpRequestMessage(HttpMethod.Get, "console/app.js");
        again.Headers.IfNoneMatch.Add(etag);
        using var revalidated = await client.SendAsync(again, Token);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync(Token));
        Assert.Equal(etag, revalidated.Headers.ETag);

        using var stale = new HttpRequestMessage(HttpMethod.Get, "console/app.js");
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"an-older-copy\""));
        using var refreshed = await client.SendAsync(stale, Token);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(Token), await refreshed.Content.ReadAsByteArrayAsync(Token));
    }

    [Fact]
    public async Task An_unknown_console_file_answers_404_in_the_error_envelope()
    {
        using var client = Browser();
        using var response = await client.GetAsync("console/no-such-file.js", Token);
        await response.ShouldFailAsync(HttpStatusCode.NotFound, param: null);
    }

    [Theory]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")]
    [InlineData("text/html")]
    public async Task A_browser_opening_the_root_is_sent_to_the_console_with_a_302(string accept)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.Server.Root };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.TryAddWithoutValidation("Accept", accept);

        using var response = await client.SendAsync(request, Token);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/console", response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("*/*")]
    [InlineData("application/json")]
    [InlineData("text/html;q=0")]
    [InlineData(null)]
    public async Task An_api_client_asking_for_the_root_gets_the_404_invalid_url_envelope(string? accept)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.Server.Root };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using var response = await client.SendAsync(request, Token);

        var error = await response.ShouldFailAsync(HttpStatusCode.NotFound, param: null);
        Assert.Equal("Invalid URL (GET /)", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task The_page_learns_whether_keys_are_required_without_a_key_and_without_a_refusal()
    {
        using var client = Browser();
        using var keyed = await client.GetAsync("console/auth", Token);
        Assert.Equal(HttpStatusCode.OK, keyed.StatusCode);
        Assert.Equal("""{"keys_required":true}""", await keyed.Content.ReadAsStringAsync(Token));
        Assert.True(keyed.Headers.CacheControl?.NoStore, "the answer is read afresh on every load");

        await using var open = await TesseraTestServer.StartAsync(openMode: true);
        using var openClient = new HttpClient { BaseAddress = open.Root };
        Assert.Equal("""{"keys_required":false}""", await openClient.GetStringAsync("console/auth", Token));
    }

    [Fact]
    public async Task The_api_beside_the_console_still_needs_a_key_and_answers_as_before()
    {
        using var anonymous = fixture.Server.CreateClient(key: null);
        await (await anonymous.GetAsync("files", Token)).ShouldFailAsync(HttpStatusCode.Unauthorized, param: null);
        using var keyed = fixture.Server.CreateClient();
        using var files = await keyed.GetAsync("files", Token);
        Assert.Equal(HttpStatusCode.OK, files.StatusCode);
        Assert.Equal("application/json", files.Content.Headers.ContentType?.MediaType);

        using var client = Browser();
        var document = await client.GetStringAsync("openapi/v1.json", Token);
        Assert.DoesNotContain("/console", document);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("livez", Token)).StatusCode);
    }

    /// <summary>
    /// Fetches the page and, from it, every <c>/console/</c> file it names in <c>src</c> or <c>href</c>, then every
    /// module and worker those load, as a browser would; each must answer 200.
    /// </summary>
    private static async Task<Dictionary<string, ServedFile>> CrawlAsync(HttpClient client)
    {
        var served = new Dictionary<string, ServedFile>(StringComparer.Ordinal);
        var queue = new Queue<string>(["/console/"]);
        while (queue.TryDequeue(out var path))
        {
            if (served.ContainsKey(path))
            {
                continue;
            }

            using var response = await client.GetAsync(path.TrimStart('/'), Token);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answers {(int)response.StatusCode}");
            var text = await response.Content.ReadAsStringAsync(Token);
            served[path] = new ServedFile(response.Content.Headers.ContentType?.MediaType, response.Headers.ETag, response.Content.Headers.LastModified);

            var references = path.EndsWith(".js", StringComparison.Ordinal)
                ? ModuleImport().Matches(text).Select(match => match.Groups["path"].Value)
                : PageReference().Matches(text).Select(match => match.Groups["path"].Value);
            foreach (var reference in references)
            {
                var resolved = new Uri(new Uri(client.BaseAddress!, path), reference);
                if (resolved.AbsolutePath.StartsWith("/console/", StringComparison.Ordinal))
                {
                    queue.Enqueue(resolved.AbsolutePath);
                }
            }
        }

        return served;
    }

    private sealed record ServedFile(string? ContentType, EntityTagHeaderValue? ETag, DateTimeOffset? LastModified);

    [GeneratedRegex("(?:src|href)=\"(?<path>/console/[^\"]+)\"")]
    private static partial Regex PageReference();

    /// <summary>A static import, or a worker's script (<c>new URL('./x.js', import.meta.url)</c>).</summary>
    [GeneratedRegex("""(?:(?:^|\s)(?:import|from)\s+|new URL\()'(?<path>\.{1,2}/[^']+)'""", RegexOptions.Multiline)]
    private static partial Regex ModuleImport();
}
