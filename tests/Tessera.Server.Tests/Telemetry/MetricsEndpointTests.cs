using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Telemetry;

/// <summary>
/// Where <c>/metrics</c> is served: on the main port only behind its key, or on a management port of its own (then
/// not on the main port at all, and the management port serves nothing else); and settings that cannot work stop
/// the server at start-up.
/// </summary>
public sealed class MetricsEndpointTests
{
    private const string MetricsKey = "metrics-endpoint-key-0001";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task On_the_main_port_metrics_are_refused_without_the_key_and_served_with_it()
    {
        await using var server = await TesseraTestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Tessera:Telemetry:Prometheus:Enabled"] = "true",
            ["Tessera:Telemetry:Prometheus:Key"] = MetricsKey,
        });
        var metrics = new Uri(server.Root, "metrics");

        using var anonymous = new HttpClient();
        using (var refused = await anonymous.GetAsync(metrics, Token))
        {
            await refused.ShouldFailAsync(HttpStatusCode.Unauthorized, null, "invalid_api_key");
        }

        using var withApiKey = server.CreateClient();
        using (var refused = await withApiKey.GetAsync(metrics, Token))
        {
            await refused.ShouldFailAsync(HttpStatusCode.Unauthorized, null, "invalid_api_key");
        }

        using var scraper = new HttpClient();
        scraper.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MetricsKey);
        var scrape = await PrometheusScrape.TakeAsync(scraper, metrics);
        Assert.Contains("# TYPE tessera_store_operation_duration_seconds histogram", scrape.Text);
    }

    [Theory]
    [InlineData("metrics-endpoint-key-000")]
    [InlineData("metrics-endpoint-key-00011")]
    [InlineData("metrics-endpoint-key-0002")]
    [InlineData("METRICS-ENDPOINT-KEY-0001")]
    public async Task On_the_main_port_a_key_that_is_a_prefix_an_extension_or_a_near_miss_of_the_metrics_key_is_refused_with_the_same_answer(string presented)
    {
        await using var server = await TesseraTestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Tessera:Telemetry:Prometheus:Enabled"] = "true",
            ["Tessera:Telemetry:Prometheus:Key"] = MetricsKey,
        });
        using var scraper = new HttpClient();
        scraper.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", presented);

        using var refused = await scraper.GetAsync(new Uri(server.Root, "metrics"), Token);

        var error = await refused.ShouldFailAsync(HttpStatusCode.Unauthorized, null, "invalid_api_key");
        Assert.Equal("Scraping /metrics needs the metrics key (Tessera:Telemetry:Prometheus:Key) in an Authorization header using Bearer auth.",
            error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task With_a_management_port_metrics_are_served_there_alone_and_absent_from_the_main_port()
    {
        var port = FreePort();
        await using var server = await TesseraTestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Tessera:Telemetry:Prometheus:Enabled"] = "true",
            ["Tessera:Telemetry:Prometheus:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var client = server.CreateClient();
        var management = new Uri($"http://127.0.0.1:{port}/");

        using (var absent = await client.GetAsync(new Uri(server.Root, "metrics"), Token))
        {
            await absent.ShouldFailAsync(HttpStatusCode.NotFound, null);
        }

        var scrape = await PrometheusScrape.TakeAsync(new HttpClient(), new Uri(management, "metrics"));
        Assert.Contains("tessera_", scrape.Text);
        using (var api = await client.GetAsync(new Uri(management, "v1/files"), Token))
        {
            await api.ShouldFailAsync(HttpStatusCode.NotFound, null);
        }

        (await client.GetAsync("files", Token)).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task With_Kestrel_endpoints_the_management_port_is_bound_on_their_hosts()
    {
        var apiPort = FreePort();
        var port = FreePort();
        await using var server = await TesseraTestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Api:Url"] = $"http://127.0.0.1:{apiPort}",
            ["Tessera:Telemetry:Prometheus:Enabled"] = "true",
            ["Tessera:Telemetry:Prometheus:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var client = server.CreateClient();
        client.BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/v1/");

        var scrape = await PrometheusScrape.TakeAsync(new HttpClient(), new Uri($"http://127.0.0.1:{port}/metrics"));
        Assert.Contains("tessera_", scrape.Text);
        (await client.GetAsync("files", Token)).EnsureSuccessStatusCode();
        using var absent = await client.GetAsync(new Uri($"http://127.0.0.1:{apiPort}/metrics"), Token);
        await absent.ShouldFailAsync(HttpStatusCode.NotFound, null);
    }

    [Fact]
    public async Task Without_telemetry_settings_there_is_no_metrics_endpoint()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = server.CreateClient();
        using var absent = await client.GetAsync(new Uri(server.Root, "metrics"), Token);
        await absent.ShouldFailAsync(HttpStatusCode.NotFound, null);
    }

    [Theory]
    [InlineData("--Tessera:Telemetry:Prometheus:Port=metrics", "Tessera:Telemetry:Prometheus:Port")]
    [InlineData("--Tessera:Telemetry:Prometheus:Port=70000", "Tessera:Telemetry:Prometheus:Port")]
    [InlineData("--Tessera:Telemetry:Prometheus:Key=", "Tessera:Telemetry:Prometheus:Key")]
    [InlineData("--Tessera:Telemetry:Otlp:Endpoint=collector:4317", "Tessera:Telemetry:Otlp:Endpoint")]
    public async Task A_telemetry_setting_that_cannot_work_exits_with_2_and_a_line_naming_it(string setting, string named)
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "tessera-telemetry-settings-" + Guid.NewGuid().ToString("N"));
        await using var server = ServerProcess.Start(
            ["--urls=http://127.0.0.1:0", $"--Tessera:DataPath={dataPath}", "--Tessera:Telemetry:Prometheus:Enabled=true", setting]);

        Assert.Equal(2, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.InRange(server.Errors.Count, 1, 2);
        Assert.Contains(server.Errors, line => line.Contains(named, StringComparison.Ordinal));
        Assert.DoesNotContain(server.Errors, line => line.Contains("   at ", StringComparison.Ordinal));
        Assert.False(Directory.Exists(dataPath), "the data folder was created by a server that should not have started");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
