using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Storage;

namespace Tessera.Server.Tests;

/// <summary>
/// <c>/healthz</c> needs no key, so it tells anyone only each store's state and its counts: never a path, a host, a
/// store's own error text or a blob key; those go to the log. Each of its probes writes to the stores, so however
/// often it is asked they run at most once a second.
/// </summary>
public sealed class HealthDisclosureTests
{
    private const string Secret = "/srv/secret-data-folder/blobs/tmp/health.0123.unfinished";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_store_that_is_down_is_reported_without_its_error_text_and_the_log_has_it()
    {
        var logs = new LogCapture();
        await using var server = await TesseraTestServer.StartAsync(configureServices: services =>
        {
            services.WrapInFaults<IBlobStore>();
            logs.AddTo(services);
        });
        server.Faults<IBlobStore>().Fault = method => method == nameof(IBlobStore.CheckHealthAsync)
            ? new StoreUnavailableException(StoreKind.Blobs, $"The blob store's folder cannot be used: Access to the path '{Secret}' is denied.", new UnauthorizedAccessException(Secret))
            : null;
        using var client = new HttpClient { BaseAddress = server.Root };

        using var response = await client.GetAsync("healthz", Token);
        var text = await response.Content.ReadAsStringAsync(Token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var blobs = JsonDocument.Parse(text).RootElement.GetProperty("checks").GetProperty("blobs");
        Assert.Equal("unavailable", blobs.GetProperty("status").GetString());
        Assert.Equal("The blob store cannot be used; the server's log says why.", blobs.GetProperty("error").GetString());
        Assert.DoesNotContain("secret-data-folder", text);
        Assert.DoesNotContain("Access to the path", text);
        Assert.DoesNotContain(server.DataPath, text);
        Assert.Contains(logs.Entries, entry => entry.Message.Contains($"The blob store failed its health check: The blob store's folder cannot be used: Access to the path '{Secret}' is denied."));
    }

    [Fact]
    public async Task A_file_whose_bytes_vanished_is_counted_by_healthz_without_its_blob_key_which_the_log_names()
    {
        var logs = new LogCapture();
        await using var server = await TesseraTestServer.StartAsync(
            settings: new Dictionary<string, string> { ["Tessera:Sweeper:IntervalSeconds"] = "3600" },
            configureServices: logs.AddTo);
        using var client = server.CreateClient();
        var damaged = (await client.UploadFileAsync(Api.RandomBytes(10))).Id();
        var lostKey = Assert.Single(await server.Metadata.ListFileSegmentsAsync(damaged, Token)).BlobKey;
        await server.Blobs.DeleteAsync(lostKey, Token);

        await server.Reclaimer.ReconcileAsync(Token);

        using var health = new HttpClient { BaseAddress = server.Root };
        using var response = await health.GetAsync("healthz", Token);
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, JsonDocument.Parse(text).RootElement.GetProperty("checks").GetProperty("blobs").GetProperty("missing_blobs").GetInt32());
        Assert.DoesNotContain(lostKey, text);
        Assert.Contains(logs.Entries, entry => entry.Message.Contains("records whose bytes are missing") && entry.Message.Contains(lostKey));
    }

    [Fact]
    public async Task Healthz_asked_many_times_at_once_and_in_a_row_probes_each_store_at_most_once_a_second()
    {
        var probes = 0;
        await using var server = await TesseraTestServer.StartAsync(configureServices: services => services.WrapInFaults<IBlobStore>(faults =>
            faults.Fault = method =>
            {
                if (method == nameof(IBlobStore.CheckHealthAsync))
                {
                    Interlocked.Increment(ref probes);
                }

                return null;
            }));
        using var client = new HttpClient { BaseAddress = server.Root };

        var clock = Stopwatch.StartNew();
        for (var round = 0; round < 10; round++)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.GetAsync("healthz", Token)));
            Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
            foreach (var answer in answers)
            {
                answer.Dispose();
            }
        }

        var elapsed = clock.Elapsed;
        // 200 answers; a probe may start at the first and then once per whole second that passed.
        Assert.InRange(probes, 1, (int)Math.Floor(elapsed.TotalSeconds) + 1);
    }
}
