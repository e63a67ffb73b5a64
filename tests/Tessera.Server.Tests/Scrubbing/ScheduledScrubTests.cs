using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Scrubbing;

/// <summary>
/// The scrub on its schedule (<c>Tessera:Scrub:IntervalSeconds</c>): a byte flipped on disk is named in the log, counted
/// in the metrics and in <c>/healthz</c>, which stays 200 and names no blob.
/// </summary>
[Trait(StorageTraits.Name, StorageTraits.Embedded)]
public sealed class ScheduledScrubTests
{
    private const string MetricsKey = "scrub-metrics-key-0001";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_flipped_byte_in_a_stored_file_is_found_by_the_scheduled_scrub_and_logged_counted_and_shown_in_healthz()
    {
        var logs = new LogCapture();
        await using var server = await TesseraTestServer.StartAsync(
            settings: new Dictionary<string, string>
            {
                ["Tessera:Scrub:IntervalSeconds"] = "1",
                ["Tessera:Telemetry:Prometheus:Enabled"] = "true",
                ["Tessera:Telemetry:Prometheus:Key"] = MetricsKey,
                ["Logging:LogLevel:Tessera"] = "Information",
            },
            configureServices: logs.AddTo);
        using var client = server.CreateClient();
        var intact = (await client.UploadFileAsync(Api.RandomBytes(1000))).Id();
        var damaged = (await client.UploadFileAsync(Api.RandomBytes(1000))).Id();
        var damagedKey = Assert.Single(await server.Metadata.ListFileSegmentsAsync(damaged, Token)).BlobKey;

        TesseraTestServer.FlipByteInFolderStore(server.DataPath, damagedKey, 500);

        using var health = new HttpClient { BaseAddress = server.Root };
        JsonElement blobs = default;
        string text = "";
        await Eventually.HoldsAsync(async () =>
        {
            using var response = await health.GetAsync("healthz", Token);
            text = await response.Content.ReadAsStringAsync(Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            blobs = JsonDocument.Parse(text).RootElement.GetProperty("checks").GetProperty("blobs");
            return blobs.TryGetProperty("damaged_blobs", out var count) && count.GetInt32() == 1;
        }, "/healthz counts one damaged blob");
        Assert.Equal("ok", blobs.GetProperty("status").GetString());
        Assert.DoesNotContain(damagedKey, text);
        Assert.DoesNotContain(damaged, text);

        var found = Assert.Single(logs.Entries, entry => entry.EventId.Id == 1801 && entry.Message.Contains(damagedKey));
        Assert.Equal(LogLevel.Error, found.Level);
        Assert.Contains($"file {damaged}", found.Message);
        Assert.DoesNotContain(server.DataPath, found.Message);
        Assert.DoesNotContain(logs.Entries, entry => entry.EventId.Id == 1801 && !entry.Message.Contains(damagedKey));
        Assert.DoesNotContain(logs.Entries, entry => entry.Message.Contains(intact) && entry.Level >= LogLevel.Error);

        using var scraper = new HttpClient();
        scraper.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MetricsKey);
        var metrics = await PrometheusScrape.TakeAsync(scraper, new Uri(server.Root, "metrics"));
        Assert.True(metrics.Value("tessera_scrub_damaged_blobs_total") >= 1, metrics.Text);
        Assert.True(metrics.Value("tessera_scrub_checked_bytes_total") >= 2000, metrics.Text);
        Assert.True(metrics.Value("tessera_scrub_checked_blobs_total") >= 2, metrics.Text);
    }

    [Fact]
    public async Task Without_a_scrub_interval_no_round_runs()
    {
        var logs = new LogCapture();
        await using var server = await TesseraTestServer.StartAsync(
            settings: new Dictionary<string, string> { ["Logging:LogLevel:Tessera"] = "Information" },
            configureServices: logs.AddTo);
        using var client = server.CreateClient();
        var fileId = (await client.UploadFileAsync(Api.RandomBytes(100))).Id();
        TesseraTestServer.FlipByteInFolderStore(server.DataPath, Assert.Single(await server.Metadata.ListFileSegmentsAsync(fileId, Token)).BlobKey, 0);

        await Task.Delay(TimeSpan.FromSeconds(3), Token);

        Assert.DoesNotContain(logs.Entries, entry => entry.EventId.Id is >= 1801 and <= 1809);
    }
}
