using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Telemetry;

/// <summary>
/// The scrape of a real server process, as Prometheus' own tools and queries read it: Tessera's metrics pass
/// <c>promtool check metrics</c>, and requests are named by the route a client sends.
/// </summary>
public sealed partial class PrometheusConventionsTests : IDisposable
{
    private const string MetricsKey = "metrics-conventions-key-0001";

    private readonly string _root = Directory.CreateTempSubdirectory("tessera-promtool-").FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_scrape_after_every_kind_of_request_has_no_promtool_finding_on_Tessera_or_ASP_NET_Core_metrics()
    {
        await using var server = StartServer();
        using var connection = await Connection.OpenAsync(server);
        await MakeEveryKindOfRequestAsync(connection.Client);

        // Every instrument has recorded by now, the pending uploads' gauges included (read on a scrape).
        await PrometheusScrape.TakeAsync(connection.Scraper, connection.Metrics);
        var scrape = await PrometheusScrape.TakeAsync(connection.Scraper, connection.Metrics);
        var (exitCode, output) = await Promtool.CheckMetricsAsync(scrape.Text);

        // The .NET runtime's own instruments (dotnet.assembly.count and the like) keep their semantic-convention
        // names, which dashboards for .NET expect; every other finding, Tessera's and ASP.NET Core's, is a defect.
        var findings = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => !RuntimeCountFinding().IsMatch(line)).ToList();
        Assert.True(findings.Count == 0, $"promtool check metrics exited with {exitCode}:\n{output}");
        Assert.True(exitCode == 0 || output.Length > 0, $"promtool check metrics exited with {exitCode} without a finding");
        Assert.Contains("# TYPE tessera_uploads_pending gauge", scrape.Text);
    }

    [Fact]
    public async Task Requests_are_counted_under_the_route_a_client_sends_with_no_trailing_slash()
    {
        await using var server = StartServer();
        using var connection = await Connection.OpenAsync(server);
        await MakeEveryKindOfRequestAsync(connection.Client);

        var scrape = await PrometheusScrape.TakeAsync(connection.Scraper, connection.Metrics);
        var routes = HttpRoute().Matches(scrape.Text).Select(match => match.Groups["route"].Value).ToHashSet();

        Assert.Contains("/v1/uploads", routes);
        Assert.Contains("/v1/files", routes);
        Assert.Contains("/v1/uploads/{uploadId}/parts", routes);
        Assert.DoesNotContain(routes, route => route.Length > 1 && route.EndsWith('/'));
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

    private ServerProcess StartServer() => ServerProcess.Start(
        ["--urls=http://127.0.0.1:0", "--Tessera:DataPath=./data", "--Tessera:Projects:0:Name=alpha",
         $"--Tessera:Projects:0:Keys:0={TesseraTestServer.KeyA}", "--Tessera:Telemetry:Prometheus:Enabled=true",
         $"--Tessera:Telemetry:Prometheus:Key={MetricsKey}"],
        workingDirectory: _root);

    /// <summary>An upload with a refused part, completed, listed, downloaded and deleted; a second upload left pending.</summary>
    private static async Task MakeEveryKindOfRequestAsync(HttpClient client)
    {
        var uploadId = (await client.CreateUploadAsync(5)).Id();
        var part = await client.AddPartAsync(uploadId, "hello"u8.ToArray());
        var fileId = (await client.CompleteAsync(uploadId, [part])).GetProperty("file").Id();
        using (var late = await client.PostPartAsync(uploadId, [1]))
        {
            await late.ShouldFailAsync(System.Net.HttpStatusCode.BadRequest, "upload_id");
        }

        (await client.GetAsync("files", Token)).EnsureSuccessStatusCode();
        Assert.Equal("hello", await client.GetStringAsync($"files/{fileId}/content", Token));
        (await client.DeleteAsync($"files/{fileId}", Token)).EnsureSuccessStatusCode();
        await client.AddPartAsync((await client.CreateUploadAsync(3)).Id(), [1, 2, 3]);
    }

    /// <summary>A client of the API and a scraper of <c>/metrics</c>, each with its key.</summary>
    private sealed class Connection(HttpClient client, HttpClient scraper, Uri metrics) : IDisposable
    {
        public HttpClient Client { get; } = client;

        public HttpClient Scraper { get; } = scraper;

        public Uri Metrics { get; } = metrics;

        public static async Task<Connection> OpenAsync(ServerProcess server)
        {
            var root = await server.WaitUntilListeningAsync();
            var client = new HttpClient { BaseAddress = new Uri(root, "v1/") };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TesseraTestServer.KeyA);
            var scraper = new HttpClient();
            scraper.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MetricsKey);
            return new Connection(client, scraper, new Uri(root, "metrics"));
        }

        public void Dispose()
        {
            Client.Dispose();
            Scraper.Dispose();
        }
    }

    [GeneratedRegex(@"^dotnet_[a-z_]+_count non-histogram and non-summary metrics should not have ""_count"" suffix$")]
    private static partial Regex RuntimeCountFinding();

    [GeneratedRegex(@"^http_server_request_duration_seconds_count\{[^}]*http_route=""(?<route>[^""]*)""", RegexOptions.Multiline)]
    private static partial Regex HttpRoute();
}
