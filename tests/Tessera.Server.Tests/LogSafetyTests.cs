using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// What an attacker can put in a real server process's log, in both console formats an operator can pick: no key
/// from a URL's query, and no control character that would forge a line or drive the terminal reading it.
/// </summary>
public sealed partial class LogSafetyTests : IDisposable
{
    private const string Secret = "sk-secret-in-the-query-0123456789";

    private const string HostingCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    private readonly string _root = Directory.CreateTempSubdirectory("tessera-log-safety-").FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("simple")]
    [InlineData("json")]
    public async Task A_key_in_the_query_string_reaches_no_log_line_and_the_access_line_shows_the_parameter_names_only(string format)
    {
        await using var server = Start(format);
        await SendTheKeyInQueriesAsync(server);

        var lines = await WaitForAccessLinesAsync(server, format, count: 3);
        Assert.DoesNotContain(lines, line => line.Contains("sk-secret", StringComparison.Ordinal));
        if (format == "json")
        {
            var queries = server.JsonLogEntries().Where(IsAccessEntry).Select(e => e.GetProperty("State").GetProperty("Query").GetString()).ToList();
            Assert.Contains("?api_key=[redacted]&limit=[redacted]", queries);
            Assert.Contains("?api_key=[redacted]", queries);
            Assert.Contains("?[redacted]", queries);
        }
        else
        {
            Assert.Contains(lines, line => line.Contains(" GET /v1/files?api_key=[redacted]&limit=[redacted] 200 ", StringComparison.Ordinal));
            Assert.Contains(lines, line => line.Contains(" GET /v1/files?api_key=[redacted] 401 ", StringComparison.Ordinal));
            Assert.Contains(lines, line => line.Contains(" GET /v1/files?[redacted] 200 ", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("simple")]
    [InlineData("json")]
    public async Task A_key_in_the_query_string_reaches_no_log_line_even_with_every_ASP_NET_Core_category_at_Trace(string format)
    {
        await using var server = Start(format, "--Logging:LogLevel:Microsoft.AspNetCore=Trace",
            $"--Logging:LogLevel:{HostingCategory}=Trace", $"--Logging:Console:LogLevel:{HostingCategory}=Trace");
        await SendTheKeyInQueriesAsync(server);

        var lines = await WaitForAccessLinesAsync(server, format, count: 3);
        // The levels took effect: ASP.NET Core's routing wrote its Debug lines for these requests.
        Assert.Contains(lines, line => line.Contains("Microsoft.AspNetCore.Routing", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains("sk-secret", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("simple")]
    [InlineData("json")]
    public async Task Control_characters_from_a_path_id_a_field_and_a_wrong_key_never_reach_the_log_raw(string format)
    {
        await using var server = Start(format);
        using var client = await ClientAsync(server, TesseraTestServer.KeyA);
        using var wrongKey = await ClientAsync(server, key: null);
        wrongKey.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer \u001b[2J\u001b[31msk-forged-key");

        using (var missing = await client.GetAsync("files/file-%1b[31mred%0d%0a2026-01-01T00:00:00.000Z info: forged", Token))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        using (var refused = await client.PostAsJsonAsync("uploads", new { filename = "a.txt", purpose = "nul\0esc\u001b[2Jcr\rlf\nend", bytes = 1, mime_type = "text/plain" }, Token))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        using (var unauthorized = await wrongKey.GetAsync("files", Token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        }

        var lines = await WaitForAccessLinesAsync(server, format, count: 3);
        // A raw CR or LF would have split a line: every line is a whole entry, and none holds a control character.
        Assert.All(lines, line =>
        {
            Assert.True(format == "json" ? line.StartsWith('{') : TimestampAtStart().IsMatch(line), $"not the start of a log entry: {line}");
            Assert.DoesNotContain(line, char.IsControl);
        });

        if (format == "json")
        {
            // JSON escapes them (\u001B); a reader that decodes the entry gets the text back as sent.
            var messages = server.JsonLogEntries().Select(e => e.GetProperty("Message").GetString()!).ToList();
            Assert.Contains(messages, m => m.Contains("file-\u001b[31mred\r\n2026-01-01T00:00:00.000Z info: forged", StringComparison.Ordinal));
            Assert.Contains(messages, m => m.Contains("'nul\0esc\u001b[2Jcr\rlf\nend'", StringComparison.Ordinal));
            Assert.Contains(messages, m => m.Contains("Incorrect API key provided: \u001b[2J", StringComparison.Ordinal));
        }
        else
        {
            Assert.Contains(lines, line => line.Contains(@"No such File object: file-\x1b[31mred\r\n2026-01-01T00:00:00.000Z info: forged", StringComparison.Ordinal));
            Assert.Contains(lines, line => line.Contains(@"'nul\0esc\x1b[2Jcr\rlf\nend'", StringComparison.Ordinal));
            Assert.Contains(lines, line => line.Contains(@"Incorrect API key provided: \x1b[2J", StringComparison.Ordinal));
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not a test failure.
        }
    }

    internal static bool IsAccessEntry(JsonElement entry) => entry.GetProperty("Category").GetString() == AccessLogCategory;

    internal const string AccessLogCategory = "Tessera.Server.AccessLog";

    /// <summary>The key in a query three ways: with a right key and another parameter, with no key (401), and as a bare parameter.</summary>
    private static async Task SendTheKeyInQueriesAsync(ServerProcess server)
    {
        using var client = await ClientAsync(server, TesseraTestServer.KeyA);
        using var anonymous = await ClientAsync(server, key: null);

        using (var listed = await client.GetAsync($"files?api_key={Secret}&limit=5", Token))
        {
            await listed.ShouldSucceedAsync();
        }

        using (var refused = await anonymous.GetAsync($"files?api_key={Secret}", Token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        // A parameter without '=' may be a value itself.
        using (var bare = await client.GetAsync($"files?{Secret}", Token))
        {
            await bare.ShouldSucceedAsync();
        }
    }

    private ServerProcess Start(string format, params string[] more) => ServerProcess.Start(
        ["--urls=http://127.0.0.1:0", "--Tessera:DataPath=./data", $"--Logging:Console:FormatterName={format}",
         "--Tessera:Projects:0:Name=alpha", $"--Tessera:Projects:0:Keys:0={TesseraTestServer.KeyA}", .. more],
        workingDirectory: _root);

    private static async Task<HttpClient> ClientAsync(ServerProcess server, string? key)
    {
        var client = new HttpClient { BaseAddress = new Uri(await server.WaitUntilListeningAsync(), "v1/") };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        }

        return client;
    }

    /// <summary>An access line is written as its request ends, which may be a moment after the client has read the answer.</summary>
    private static async Task<IReadOnlyList<string>> WaitForAccessLinesAsync(ServerProcess server, string format, int count)
    {
        for (var i = 0; i < 200; i++)
        {
            var lines = server.Output;
            if (lines.Count(line => line.Contains(format == "json" ? $"\"Category\":\"{AccessLogCategory}\"" : $" {AccessLogCategory}[", StringComparison.Ordinal)) >= count)
            {
                return lines;
            }

            await Task.Delay(50, Token);
        }

        Assert.Fail($"Fewer than {count} access lines were logged:\n{string.Join('\n', server.Output)}");
        return [];
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (trce|dbug|info|warn|fail|crit): ")]
    private static partial Regex TimestampAtStart();
}
