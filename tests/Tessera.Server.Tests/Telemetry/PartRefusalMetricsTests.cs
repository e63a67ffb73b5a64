using System.Net;
using System.Net.Http.Headers;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Telemetry;

/// <summary>
/// <c>tessera_parts_refused_total</c> of a real server process counts each refused part under the reason its help
/// lists, whichever part of the server refused it: the handler, authentication or the rate limiter.
/// </summary>
public sealed class PartRefusalMetricsTests : IDisposable
{
    private const string MetricsKey = "part-refusal-metrics-key-0001";
    private const string Refused = "tessera_parts_refused_total";
    private const int MiB = 1024 * 1024;

    private readonly string _root = Directory.CreateTempSubdirectory("tessera-part-refusals-").FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_part_cut_off_mid_stream_at_the_quota_is_counted_as_quota_exceeded_not_too_large()
    {
        await using var server = StartServer($"--Tessera:Quotas:Bytes={5 * MiB}");
        var root = await server.WaitUntilListeningAsync();
        using var client = ClientOf(root, TesseraTestServer.KeyA);
        using var scraper = ClientOf(root, MetricsKey);
        var uploadId = (await client.CreateUploadAsync(8 * MiB)).Id();
        await client.AddPartAsync(uploadId, Api.RandomBytes(4 * MiB + (MiB / 2)));
        var before = await PrometheusScrape.TakeAsync(scraper, new Uri(root, "metrics"));

        // Its Content-Length fits the room left; its bytes do not, so the server stops reading where the quota ends.
        using (var response = await client.PostPartAsync(uploadId, Api.RandomBytes(MiB)))
        {
            await QuotaTests.ShouldBeQuotaRefusalAsync(response);
        }

        var after = await ScrapeOnceCountedAsync(scraper, root, before, refusals: 1);
        Assert.Equal(1, Moved(before, after, ("error_type", "quota_exceeded")));
        Assert.Equal(0, Moved(before, after, ("error_type", "too_large")));
        Assert.Equal(1, Moved(before, after));
    }

    [Fact]
    public async Task Parts_refused_by_authentication_and_by_the_rate_limiter_are_counted_as_unauthorized_and_rate_limited()
    {
        await using var server = StartServer("--Tessera:Projects:0:RateLimits:RequestsPerSecond=1");
        var root = await server.WaitUntilListeningAsync();
        using var client = ClientOf(root, TesseraTestServer.KeyA);
        using var wrongKey = ClientOf(root, "sk-not-a-key-of-this-server-0001");
        using var noKey = new HttpClient { BaseAddress = client.BaseAddress };
        using var scraper = ClientOf(root, MetricsKey);
        var uploadId = (await client.CreateUploadAsync(100)).Id();
        var before = await PrometheusScrape.TakeAsync(scraper, new Uri(root, "metrics"));

        using (var response = await wrongKey.PostPartAsync(uploadId, [1]))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using (var response = await noKey.PostPartAsync(uploadId, [1]))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        // One request a second: parts sent back to back are soon refused.
        var limited = 0;
        for (var i = 0; i < 50 && limited < 2; i++)
        {
            using var response = await client.PostPartAsync(uploadId, [1]);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"answered {(int)response.StatusCode}");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited++;
            }
        }

        Assert.Equal(2, limited);
        var after = await ScrapeOnceCountedAsync(scraper, root, before, refusals: 4);
        Assert.Equal(2, Moved(before, after, ("error_type", "unauthorized")));
        Assert.Equal(2, Moved(before, after, ("error_type", "rate_limited")));
        Assert.Equal(4, Moved(before, after));
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

    private ServerProcess StartServer(string setting) => ServerProcess.Start(
        ["--urls=http://127.0.0.1:0", "--Tessera:DataPath=./data", "--Tessera:Projects:0:Name=alpha",
         $"--Tessera:Projects:0:Keys:0={TesseraTestServer.KeyA}", "--Tessera:Telemetry:Prometheus:Enabled=true",
         $"--Tessera:Telemetry:Prometheus:Key={MetricsKey}", setting],
        workingDirectory: _root);

    private static HttpClient ClientOf(Uri root, string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(root, "v1/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>
    /// The first scrape whose refusals have moved by at least <paramref name="refusals"/> since <paramref name="before"/>:
    /// the exporter answers a scrape within a moment of the last from its cache.
    /// </summary>
    private static async Task<PrometheusScrape> ScrapeOnceCountedAsync(HttpClient scraper, Uri root, PrometheusScrape before, int refusals)
    {
        var after = before;
        await Eventually.HoldsAsync(async () =>
        {
            after = await PrometheusScrape.TakeAsync(scraper, new Uri(root, "metrics"));
            return Moved(before, after) >= refusals;
        }, $"{refusals} refused parts are counted");
        return after;
    }

    private static double Moved(PrometheusScrape before, PrometheusScrape after, params (string, string)[] labels) =>
        after.Value(Refused, labels) - before.Value(Refused, labels);
}
