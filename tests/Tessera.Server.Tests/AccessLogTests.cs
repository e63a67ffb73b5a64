using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// The access line of a real server process in the default console format: one short line per request, whoever
/// answered it, with the method, the path, the status, the duration, the request id and the body bytes each way.
/// </summary>
public sealed partial class AccessLogTests : IDisposable
{
    private const string MetricsKey = "metrics-key-for-the-access-log";

    private readonly string _root = Directory.CreateTempSubdirectory("tessera-access-log-").FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_request_has_one_short_access_line_with_method_path_status_duration_request_id_and_bytes()
    {
        await using var server = StartKeyedServerWithMetrics();
        var root = await server.WaitUntilListeningAsync();
        using var client = new HttpClient { BaseAddress = new Uri(root, "v1/") };
        client.DefaultRequestHeaders.Authorization = new("Bearer", TesseraTestServer.KeyA);

        var content = Api.RandomBytes(1234);
        using var form = new MultipartFormDataContent { { new StringContent("assistants"), "purpose" }, { new ByteArrayContent(content), "file", "notes.txt" } };
        var formBytes = (await form.ReadAsByteArrayAsync(Token)).Length;
        using var created = await client.PostAsync("files", form, Token);
        var fileId = (await created.ShouldSucceedAsync()).Id();
        var createdBytes = (await created.Content.ReadAsByteArrayAsync(Token)).Length;
        using var download = await client.GetAsync($"files/{fileId}/content", Token);
        Assert.Equal(content, await download.Content.ReadAsByteArrayAsync(Token));
        using var noRoute = await client.GetAsync("no-such-route", Token);
        using var anonymous = new HttpClient { BaseAddress = client.BaseAddress };
        using var refused = await anonymous.GetAsync("files", Token);
        using var scrape = new HttpRequestMessage(HttpMethod.Get, new Uri(root, "metrics"));
        scrape.Headers.Authorization = new("Bearer", MetricsKey);
        using var metrics = await client.SendAsync(scrape, Token);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);

        var lines = await WaitForAccessLinesAsync(server, count: 5);
        var expected = new (HttpResponseMessage Response, string Method, string Target, int Status, long In, long? Out)[]
        {
            (created, "POST", "/v1/files", 200, formBytes, createdBytes),
            (download, "GET", $"/v1/files/{fileId}/content", 200, 0, content.Length),
            (noRoute, "GET", "/v1/no-such-route", 404, 0, null),
            (refused, "GET", "/v1/files", 401, 0, null),
            (metrics, "GET", "/metrics", 200, 0, null),
        };
        foreach (var (response, method, target, status, bytesIn, bytesOut) in expected)
        {
            var requestId = response.Headers.GetValues("x-request-id").Single();
            var line = Assert.Single(lines, line => line.Contains(AccessLogCategory, StringComparison.Ordinal) && line.Contains(requestId, StringComparison.Ordinal));
            var access = AccessLine().Match(line);
            Assert.True(access.Success, $"not an access line: {line}");
            Assert.Equal(method, access.Groups["method"].Value);
            Assert.Equal(target, access.Groups["target"].Value);
            Assert.Equal(status, int.Parse(access.Groups["status"].Value, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(requestId, access.Groups["id"].Value);
            Assert.Equal(bytesIn, long.Parse(access.Groups["in"].Value, System.Globalization.CultureInfo.InvariantCulture));
            var sent = long.Parse(access.Groups["out"].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(bytesOut ?? (await response.Content.ReadAsByteArrayAsync(Token)).Length, sent);
            // The request id once, and none of the framework's per-request scope values (span, trace, connection).
            Assert.Equal(line.IndexOf(requestId, StringComparison.Ordinal), line.LastIndexOf(requestId, StringComparison.Ordinal));
            Assert.DoesNotContain("SpanId", line, StringComparison.Ordinal);
            Assert.DoesNotContain("TraceId", line, StringComparison.Ordinal);
            Assert.DoesNotContain("ConnectionId", line, StringComparison.Ordinal);
            Assert.True(line.Length <= 160 + target.Length, $"{line.Length} characters: {line}");
        }

        // Another line of a request names it once too, as its scope.
        var fileCreated = Assert.Single(lines, line => line.Contains($"Created file {fileId}", StringComparison.Ordinal));
        Assert.Contains($"=> RequestId:{created.Headers.GetValues("x-request-id").Single()} Created file", fileCreated, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scrape_answered_or_refused_has_its_access_line_on_the_management_port_as_on_the_main_port()
    {
        var managementPort = FreePort();
        await using var server = ServerProcess.Start(
            ["--urls=http://127.0.0.1:0", "--Tessera:DataPath=./data",
             "--Tessera:Projects:0:Name=alpha", $"--Tessera:Projects:0:Keys:0={TesseraTestServer.KeyA}",
             "--Tessera:Telemetry:Prometheus:Enabled=true", $"--Tessera:Telemetry:Prometheus:Port={managementPort}"],
            workingDirectory: _root);
        await server.WaitUntilListeningAsync();
        var management = new Uri($"http://127.0.0.1:{managementPort}/");
        using var scraper = new HttpClient();

        using var answered = await scraper.GetAsync(new Uri(management, "metrics"), Token);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        using var refused = await scraper.GetAsync(new Uri(management, "v1/files"), Token);
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);

        var lines = await WaitForAccessLinesAsync(server, count: 2);
        foreach (var (response, target, status) in new[] { (answered, "/metrics", 200), (refused, "/v1/files", 404) })
        {
            var requestId = response.Headers.GetValues("x-request-id").Single();
            var line = Assert.Single(lines, line => line.Contains(AccessLogCategory, StringComparison.Ordinal) && line.Contains(requestId, StringComparison.Ordinal));
            var access = AccessLine().Match(line);
            Assert.True(access.Success, $"not an access line: {line}");
            Assert.Equal(target, access.Groups["target"].Value);
            Assert.Equal(status.ToString(System.Globalization.CultureInfo.InvariantCulture), access.Groups["status"].Value);
        }
    }

    [Fact]
    public async Task A_scrape_refused_for_want_of_the_metrics_key_has_its_access_line_with_401()
    {
        await using var server = StartKeyedServerWithMetrics();
        var root = await server.WaitUntilListeningAsync();
        using var anonymous = new HttpClient();

        using var refused = await anonymous.GetAsync(new Uri(root, "metrics"), Token);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var requestId = refused.Headers.GetValues("x-request-id").Single();
        var lines = await WaitForAccessLinesAsync(server, count: 1);
        var line = Assert.Single(lines, line => line.Contains(AccessLogCategory, StringComparison.Ordinal) && line.Contains(requestId, StringComparison.Ordinal));
        var access = AccessLine().Match(line);
        Assert.True(access.Success, $"not an access line: {line}");
        Assert.Equal("/metrics", access.Groups["target"].Value);
        Assert.Equal("401", access.Groups["status"].Value);
    }

    [Fact]
    public async Task A_request_whose_client_goes_away_before_the_answer_has_its_access_line_with_499_and_the_bytes_read()
    {
        await using var server = ServerProcess.Start(
            ["--urls=http://127.0.0.1:0", "--Tessera:DataPath=./data",
             "--Tessera:Projects:0:Name=alpha", $"--Tessera:Projects:0:Keys:0={TesseraTestServer.KeyA}"],
            workingDirectory: _root);
        var root = await server.WaitUntilListeningAsync();
        var tag = $"probe_{Guid.NewGuid():N}";

        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(root.Host, root.Port, Token);
            var head = $"POST /v1/files?{tag}=1 HTTP/1.1\r\nHost: {root.Authority}\r\nAuthorization: Bearer {TesseraTestServer.KeyA}\r\n" +
                "Content-Type: multipart/form-data; boundary=cut\r\nContent-Length: 100000\r\n\r\n--cut\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(head), Token);
            // Gone with most of the body unsent: there is nobody to answer.
        }

        var lines = await WaitForAccessLinesAsync(server, count: 1);
        var line = Assert.Single(lines, line => line.Contains(AccessLogCategory, StringComparison.Ordinal) && line.Contains(tag, StringComparison.Ordinal));
        var access = AccessLine().Match(line);
        Assert.True(access.Success, $"not an access line: {line}");
        Assert.Equal($"/v1/files?{tag}=[redacted]", access.Groups["target"].Value);
        Assert.Equal("499", access.Groups["status"].Value);
        Assert.InRange(long.Parse(access.Groups["in"].Value, System.Globalization.CultureInfo.InvariantCulture), 0, "--cut\r\n".Length);
        Assert.Equal("0", access.Groups["out"].Value);
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

    private const string AccessLogCategory = " Tessera.Server.AccessLog[1790] ";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>An access line is written as its request ends, which may be a moment after the client has read the answer.</summary>
    private static async Task<IReadOnlyList<string>> WaitForAccessLinesAsync(ServerProcess server, int count)
    {
        for (var i = 0; i < 200; i++)
        {
            var lines = server.Output;
            if (lines.Count(line => line.Contains(AccessLogCategory, StringComparison.Ordinal)) >= count)
            {
                return lines;
            }

            await Task.Delay(50, Token);
        }

        Assert.Fail($"Fewer than {count} access lines were logged:\n{string.Join('\n', server.Output)}");
        return [];
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info: Tessera\.Server\.AccessLog\[1790\] (?<method>[A-Z]+) (?<target>\S+) (?<status>\d{3}) \d+\.\d ms (?<id>req_[0-9a-f]{32}) (?<in>\d+) B in, (?<out>\d+) B out$")]
    private static partial Regex AccessLine();

    /// <summary>A server with one project (key A) and Prometheus on the main port behind <see cref="MetricsKey"/>.</summary>
    private ServerProcess StartKeyedServerWithMetrics() => ServerProcess.Start(
        ["--urls=http://127.0.0.1:0", "--Tessera:DataPath=./data",
         "--Tessera:Projects:0:Name=alpha", $"--Tessera:Projects:0:Keys:0={TesseraTestServer.KeyA}",
         "--Tessera:Telemetry:Prometheus:Enabled=true", $"--Tessera:Telemetry:Prometheus:Key={MetricsKey}"],
        workingDirectory: _root);
}
