using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tessera.Server.Hosting;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Storage;

namespace Tessera.Server.Tests;

/// <summary>
/// What the host makes of its stores: failures the stores report become the answers docs/api.md section 2 lists,
/// <c>/healthz</c> names each store's state, and the API's time follows the metadata store's clock.
/// </summary>
public sealed class StorageSeamTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Healthz_answers_200_naming_both_stores_as_ok()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = new HttpClient { BaseAddress = server.Root };

        using var response = await client.GetAsync("healthz", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ReadJsonAsync(response);
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal("ok", body.GetProperty("checks").GetProperty("metadata").GetProperty("status").GetString());
        Assert.Equal("ok", body.GetProperty("checks").GetProperty("blobs").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Healthz_answers_503_naming_the_store_that_is_unavailable_but_not_its_address()
    {
        await using var server = await TesseraTestServer.StartAsync(configureServices: services => services.WrapInFaults<IBlobStore>());
        server.Faults<IBlobStore>().Fault = method => method == nameof(IBlobStore.CheckHealthAsync)
            ? new StoreUnavailableException(StoreKind.Blobs, "The object store at http://127.0.0.1:9 refused the connection.")
            : null;
        using var client = new HttpClient { BaseAddress = server.Root };

        using var response = await client.GetAsync("healthz", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await ReadJsonAsync(response);
        Assert.Equal("unavailable", body.GetProperty("status").GetString());
        var checks = body.GetProperty("checks");
        Assert.Equal("ok", checks.GetProperty("metadata").GetProperty("status").GetString());
        Assert.False(checks.GetProperty("metadata").TryGetProperty("error", out _));
        Assert.Equal("unavailable", checks.GetProperty("blobs").GetProperty("status").GetString());
        Assert.Equal("The blob store cannot be used; the server's log says why.", checks.GetProperty("blobs").GetProperty("error").GetString());
        Assert.DoesNotContain("127.0.0.1:9", checks.ToString());
    }

    [Fact]
    public async Task An_unavailable_metadata_store_answers_503_service_unavailable_at_once_and_asks_for_a_retry()
    {
        var logs = new LogCapture();
        await using var server = await TesseraTestServer.StartAsync(configureServices: services =>
        {
            services.WrapInFaults<IMetadataStore>();
            logs.AddTo(services);
        });
        using var client = server.CreateClient();
        server.Faults<IMetadataStore>().Fault = method => method == nameof(IMetadataStore.CreateUploadAsync)
            ? new StoreUnavailableException(StoreKind.Metadata, "The database at 127.0.0.1:5432 did not answer within 5 s.")
            : null;

        var timer = Stopwatch.StartNew();
        using var response = await client.PostAsJsonAsync("uploads",
            new { filename = "a.txt", purpose = "assistants", bytes = 1, mime_type = "text/plain" }, TestContext.Current.CancellationToken);

        Assert.True(timer.Elapsed < Deadline, $"the answer took {timer.Elapsed}");
        var error = await response.ShouldFailAsync(HttpStatusCode.ServiceUnavailable, param: null, code: "service_unavailable", type: "server_error");
        var message = error.GetProperty("message").GetString()!;
        Assert.StartsWith("The metadata database is unavailable", message);
        Assert.Contains("Try again", message);
        Assert.DoesNotContain("5432", message);
        Assert.Equal("true", response.Headers.GetValues("x-should-retry").Single());

        // Expected while a database restarts: one warning line naming the store, no stack trace.
        var logged = Assert.Single(logs.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Contains("metadata store is unavailable", logged.Message);
        Assert.DoesNotContain(logs.Entries, e => e.Exception is not null);

        // Service resumes by itself once the store answers again.
        server.Faults<IMetadataStore>().Fault = _ => null;
        await client.CreateUploadAsync(1);
    }

    [Fact]
    public async Task An_unavailable_blob_store_answers_503_naming_the_blob_store()
    {
        await using var server = await TesseraTestServer.StartAsync(configureServices: services => services.WrapInFaults<IBlobStore>());
        using var client = server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(3)).Id();
        server.Faults<IBlobStore>().Fault = method => method == nameof(IBlobStore.WriteAsync)
            ? new StoreUnavailableException(StoreKind.Blobs, "The bucket did not answer.")
            : null;

        using var response = await client.PostPartAsync(uploadId, [1, 2, 3]);

        var error = await response.ShouldFailAsync(HttpStatusCode.ServiceUnavailable, param: null, code: "service_unavailable", type: "server_error");
        Assert.StartsWith("The blob store is unavailable", error.GetProperty("message").GetString());
        var parts = await (await client.GetAsync($"uploads/{uploadId}/parts")).ShouldSucceedAsync();
        Assert.Equal(0, parts.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task A_file_whose_blob_is_missing_answers_500_and_is_logged_as_an_error_naming_the_blob()
    {
        var logs = new LogCapture();
        await using var server = await TesseraTestServer.StartAsync(configureServices: services =>
        {
            services.WrapInFaults<IBlobStore>();
            logs.AddTo(services);
        });
        using var client = server.CreateClient();
        var upload = await client.CreateUploadAsync(3);
        var partId = await client.AddPartAsync(upload.Id(), [1, 2, 3]);
        var fileId = (await client.CompleteAsync(upload.Id(), [partId])).GetProperty("file").Id();
        server.Faults<IBlobStore>().Fault = method => method == nameof(IBlobStore.OpenReadAsync) ? new BlobNotFoundException(partId) : null;

        using var response = await client.GetAsync($"files/{fileId}/content", TestContext.Current.CancellationToken);

        var error = await response.ShouldFailAsync(HttpStatusCode.InternalServerError, param: null, type: "server_error");
        Assert.Contains(response.Headers.GetValues("x-request-id").Single(), error.GetProperty("message").GetString());
        Assert.Null(response.Headers.ETag);
        var logged = Assert.Single(logs.Entries, e => e.Message.Contains(partId, StringComparison.Ordinal));
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Contains("missing", logged.Message);
    }

    [Fact]
    public async Task The_API_time_follows_the_metadata_store_clock_and_keeps_its_offset_when_a_reading_fails()
    {
        var ahead = TimeSpan.FromHours(1);
        var logs = new LogCapture();
        await using var server = await TesseraTestServer.StartAsync(configureServices: services =>
        {
            services.WrapInFaults<IMetadataStore>(store => store.Substitute = method =>
                method == nameof(IMetadataStore.ReadClockAsync) ? Task.FromResult(DateTimeOffset.UtcNow + ahead) : null);
            logs.AddTo(services);
        });
        using var client = server.CreateClient();

        var upload = await client.CreateUploadAsync(1);

        var expected = (server.Clock.GetUtcNow() + ahead).ToUnixTimeSeconds();
        Assert.InRange(upload.GetProperty("created_at").GetInt64(), expected - 5, expected + 5);
        Assert.Equal(upload.GetProperty("created_at").GetInt64() + 3600, upload.GetProperty("expires_at").GetInt64());

        server.Faults<IMetadataStore>().Fault = method =>
            method == nameof(IMetadataStore.ReadClockAsync) ? new StoreUnavailableException(StoreKind.Metadata, "The database is restarting.") : null;
        await server.SynchronizeClockAsync();

        var later = await client.CreateUploadAsync(1);
        Assert.InRange(later.GetProperty("created_at").GetInt64(), expected - 5, expected + 5);
        var warning = Assert.Single(logs.Entries, e => e.Message.Contains("The database is restarting.", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, warning.Level);
    }

    [Fact]
    [Trait(StorageTraits.Name, StorageTraits.Embedded)]
    public void A_data_folder_that_holds_only_blobs_is_created_but_not_locked_so_nodes_can_share_it()
    {
        var root = Directory.CreateTempSubdirectory("tessera-shared-").FullName;
        var dataPath = Path.Combine(root, "data");
        try
        {
            using var first = DataFolder.Open(dataPath);
            using var second = DataFolder.Open(dataPath);

            Assert.True(Directory.Exists(dataPath));
            Assert.False(first.IsLocked);
            Assert.False(File.Exists(Path.Combine(dataPath, DataFolder.LockFileName)));
            using var locked = DataFolder.Acquire(dataPath);
            Assert.True(locked.IsLocked);
            Assert.Throws<StartupException>(() => DataFolder.Acquire(dataPath));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone();
    }
}
