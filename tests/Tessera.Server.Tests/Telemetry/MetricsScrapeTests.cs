using System.Net;
using System.Net.Http.Headers;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Telemetry;

/// <summary>
/// The real server process with Prometheus on (a process of its own, so no other test's server adds to its
/// counters): what an upload does moves each counter by exactly that much.
/// </summary>
public sealed class MetricsScrapeTests : IDisposable
{
    private const string MetricsKey = "metrics-scrape-key-0001";

    private readonly string _root = Directory.CreateTempSubdirectory("tessera-metrics-").FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_scrape_after_an_upload_shows_each_counter_moved_by_what_the_upload_did()
    {
        await using var server = ServerProcess.Start(
            ["--urls=http://127.0.0.1:0", "--Tessera:DataPath=./data", "--Tessera:Projects:0:Name=alpha",
             $"--Tessera:Projects:0:Keys:0={TesseraTestServer.KeyA}", "--Tessera:Telemetry:Prometheus:Enabled=true",
             $"--Tessera:Telemetry:Prometheus:Key={MetricsKey}"],
            workingDirectory: _root);
        var root = await server.WaitUntilListeningAsync();
        using var client = new HttpClient { BaseAddress = new Uri(root, "v1/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TesseraTestServer.KeyA);
        using var scraper = new HttpClient();
        scraper.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MetricsKey);
        var metrics = new Uri(root, "metrics");
        var before = await PrometheusScrape.TakeAsync(scraper, metrics);

        var uploadId = (await client.CreateUploadAsync(11)).Id();
        var first = await client.AddPartAsync(uploadId, "hello "u8.ToArray());
        var second = await client.AddPartAsync(uploadId, "world"u8.ToArray());
        await client.AddPartAsync(uploadId, "!!!"u8.ToArray());
        await Eventually.HoldsAsync(async () =>
        {
            var now = await PrometheusScrape.TakeAsync(scraper, metrics);
            return now.Value("tessera_uploads_pending") == before.Value("tessera_uploads_pending") + 1
                && now.Value("tessera_uploads_pending_size_bytes") == before.Value("tessera_uploads_pending_size_bytes") + 14;
        }, "the scrape shows the pending upload and its 14 bytes");
        var fileId = (await client.CompleteAsync(uploadId, [first, second])).GetProperty("file").Id();
        using (var late = await client.PostPartAsync(uploadId, [1, 2, 3]))
        {
            await late.ShouldFailAsync(HttpStatusCode.BadRequest, "upload_id");
        }

        Assert.Equal("hello world", await client.GetStringAsync($"files/{fileId}/content", Token));
        (await client.DeleteAsync($"files/{fileId}", Token)).EnsureSuccessStatusCode();

        // The part left out of the file, then the file's two, are garbage the sweeper deletes; the download is counted once sent.
        PrometheusScrape after = before;
        await Eventually.HoldsAsync(async () =>
        {
            after = await PrometheusScrape.TakeAsync(scraper, metrics);
            return Moved(before, after, "tessera_sweeper_reclaimed_blobs_total") == 3 && Moved(before, after, "tessera_served_bytes_total") == 11
                && Moved(before, after, "tessera_uploads_pending") == 0;
        }, "the sweeper reclaimed the three parts' blobs and the download was counted");

        Assert.Equal(14, Moved(before, after, "tessera_sweeper_reclaimed_bytes_total"));
        Assert.Equal(3, Moved(before, after, "tessera_parts_stored_total"));
        Assert.Equal(14, Moved(before, after, "tessera_ingested_bytes_total"));
        Assert.Equal(1, Moved(before, after, "tessera_parts_refused_total", ("error_type", "conflict")));
        Assert.Equal(1, Moved(before, after, "tessera_parts_refused_total"));
        Assert.Equal(1, Moved(before, after, "tessera_uploads_ended_total", ("tessera_upload_outcome", "completed")));
        Assert.Equal(1, Moved(before, after, "tessera_uploads_ended_total"));
        Assert.Equal(1, Moved(before, after, "tessera_upload_complete_duration_seconds_count"));
        Assert.Equal(0, Moved(before, after, "tessera_uploads_pending_size_bytes"));
        Assert.Equal(3, Moved(before, after, "tessera_store_operation_duration_seconds_count", ("tessera_store", "metadata"), ("tessera_operation", "AddPart")));
        Assert.Equal(3, Moved(before, after, "tessera_store_operation_duration_seconds_count", ("tessera_store", "blobs"), ("tessera_operation", "Write")));
        Assert.Equal(1, Moved(before, after, "tessera_store_operation_duration_seconds_count", ("tessera_store", "metadata"), ("tessera_operation", "CompleteUpload")));
        Assert.Equal(1, Moved(before, after, "tessera_store_operation_duration_seconds_count", ("tessera_store", "metadata"), ("tessera_operation", "DeleteFile")));

        // ASP.NET Core's and the runtime's own instruments are in the same scrape.
        Assert.True(after.Value("http_server_request_duration_seconds_count") >= 8, "ASP.NET Core's request durations are missing");
        Assert.Contains("dotnet_gc_collections_total", after.Text);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static double Moved(PrometheusScrape before, PrometheusScrape after, string name, params (string, string)[] labels) =>
        after.Value(name, labels) - before.Value(name, labels);
}
