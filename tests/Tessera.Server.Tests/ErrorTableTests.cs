using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Storage;

namespace Tessera.Server.Tests;

/// <summary>Each row of docs/api.md section 2's error table, and project isolation (section 5).</summary>
public sealed class ErrorTableTests(KeyedServer fixture) : IClassFixture<KeyedServer>
{
    private readonly TesseraTestServer _server = fixture.Server;

    [Fact]
    public async Task A_request_without_a_bearer_token_is_refused_with_401()
    {
        using var client = _server.CreateClient(key: null);
        using var response = await client.GetAsync("files");
        var error = await response.ShouldFailAsync(HttpStatusCode.Unauthorized, param: null);
        Assert.StartsWith("You didn't provide an API key.", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_unknown_key_is_refused_with_401_invalid_api_key_without_echoing_the_key()
    {
        const string Key = "sk-this-is-not-a-configured-key-123456";
        using var client = _server.CreateClient(Key);
        using var response = await client.PostAsJsonAsync("uploads", new { filename = "a", purpose = "batch", bytes = 1, mime_type = "x" });
        var error = await response.ShouldFailAsync(HttpStatusCode.Unauthorized, param: null, code: "invalid_api_key");
        var message = error.GetProperty("message").GetString()!;
        Assert.StartsWith("Incorrect API key provided: sk-th***56.", message);
        Assert.DoesNotContain(Key, message);
    }

    [Fact]
    public async Task An_OpenAI_Project_header_naming_another_project_is_refused_with_401()
    {
        using var client = _server.CreateClient(TesseraTestServer.KeyA);
        client.DefaultRequestHeaders.Add("OpenAI-Project", TesseraTestServer.ProjectB);
        using var response = await client.GetAsync("files");
        await response.ShouldFailAsync(HttpStatusCode.Unauthorized, param: null, code: "invalid_project");

        using var own = _server.CreateClient(TesseraTestServer.KeyA);
        own.DefaultRequestHeaders.Add("OpenAI-Project", TesseraTestServer.ProjectA);
        own.DefaultRequestHeaders.Add("OpenAI-Organization", "org-anything");
        own.DefaultRequestHeaders.Add("X-Stainless-Lang", "js");
        await (await own.GetAsync("files")).ShouldSucceedAsync();
    }

    [Theory]
    [InlineData("GET", "uploads/{0}")]
    [InlineData("GET", "uploads/{0}/parts")]
    [InlineData("POST", "uploads/{0}/parts")]
    [InlineData("POST", "uploads/{0}/complete")]
    [InlineData("POST", "uploads/{0}/cancel")]
    public async Task An_unknown_upload_and_another_projects_upload_both_answer_404(string method, string pathFormat)
    {
        using var alpha = _server.CreateClient(TesseraTestServer.KeyA);
        using var beta = _server.CreateClient(TesseraTestServer.KeyB);
        var theirs = (await beta.CreateUploadAsync(3)).Id();

        foreach (var uploadId in new[] { "upload_00000000000000000000000000000000", theirs })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), string.Format(System.Globalization.CultureInfo.InvariantCulture, pathFormat, uploadId));
            request.Content = pathFormat.EndsWith("parts", StringComparison.Ordinal) && method == "POST" ? Api.PartForm([1, 2, 3])
                : pathFormat.EndsWith("complete", StringComparison.Ordinal) ? JsonContent.Create(new { part_ids = Array.Empty<string>() })
                : null;
            using var response = await alpha.SendAsync(request);
            var error = await response.ShouldFailAsync(HttpStatusCode.NotFound, "id");
            Assert.Equal($"No such Upload object: {uploadId}", error.GetProperty("message").GetString());
        }

        // The other project's upload is untouched and still theirs.
        var upload = await (await beta.GetAsync($"uploads/{theirs}")).ShouldSucceedAsync();
        Assert.Equal("pending", upload.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("GET", "files/{0}")]
    [InlineData("GET", "files/{0}/content")]
    [InlineData("DELETE", "files/{0}")]
    public async Task An_unknown_file_and_another_projects_file_both_answer_404(string method, string pathFormat)
    {
        using var alpha = _server.CreateClient(TesseraTestServer.KeyA);
        using var beta = _server.CreateClient(TesseraTestServer.KeyB);
        var theirs = (await beta.UploadFileAsync([1, 2, 3])).Id();

        foreach (var fileId in new[] { "file-1111111111111111111111", theirs })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), string.Format(System.Globalization.CultureInfo.InvariantCulture, pathFormat, fileId));
            using var response = await alpha.SendAsync(request);
            var error = await response.ShouldFailAsync(HttpStatusCode.NotFound, "id");
            Assert.Equal($"No such File object: {fileId}", error.GetProperty("message").GetString());
        }

        Assert.Equal([1, 2, 3], await beta.GetByteArrayAsync($"files/{theirs}/content"));
        using var listing = await alpha.GetAsync("files");
        Assert.DoesNotContain(theirs, await listing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_deleted_file_answers_404_everywhere()
    {
        using var client = _server.CreateClient();
        var fileId = (await client.UploadFileAsync([5])).Id();
        var deleted = await (await client.DeleteAsync($"files/{fileId}")).ShouldSucceedAsync();
        Assert.Equal(fileId, deleted.Id());
        Assert.Equal("file", deleted.GetProperty("object").GetString());
        Assert.True(deleted.GetProperty("deleted").GetBoolean());

        await (await client.GetAsync($"files/{fileId}")).ShouldFailAsync(HttpStatusCode.NotFound, "id");
        await (await client.GetAsync($"files/{fileId}/content")).ShouldFailAsync(HttpStatusCode.NotFound, "id");
        await (await client.DeleteAsync($"files/{fileId}")).ShouldFailAsync(HttpStatusCode.NotFound, "id");
    }

    [Fact]
    public async Task A_bad_purpose_is_refused_with_400_naming_the_field_in_OpenAIs_words()
    {
        using var client = _server.CreateClient();
        using var response = await client.PostAsJsonAsync("uploads", new { filename = "a", purpose = "homework", bytes = 1, mime_type = "text/plain" });
        var error = await response.ShouldFailAsync(HttpStatusCode.BadRequest, "purpose");
        Assert.Equal("'homework' is not one of ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'] - 'purpose'", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_unknown_path_answers_404_in_the_error_envelope()
    {
        using var client = _server.CreateClient();
        await (await client.GetAsync("nothing/here")).ShouldFailAsync(HttpStatusCode.NotFound, param: null);
        await (await client.PutAsync("files", null)).ShouldFailAsync(HttpStatusCode.NotFound, param: null);
    }

    [Fact]
    public async Task An_unexpected_failure_answers_500_with_a_generic_message_and_the_request_id()
    {
        // A store failing in a way no contract names, worded as a backend would (and as no client may read).
        await using var server = await TesseraTestServer.StartAsync(configureServices: services => services.WrapInFaults<IMetadataStore>(store =>
            store.Fault = method => method == nameof(IMetadataStore.ListFilesAsync) ? new InvalidOperationException("SQLite Error 1: 'no such table: files'.") : null));
        using var client = server.CreateClient();
        await client.UploadFileAsync([1]);

        using var response = await client.GetAsync("files");
        var error = await response.ShouldFailAsync(HttpStatusCode.InternalServerError, param: null, type: "server_error");
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains(response.Headers.GetValues("x-request-id").Single(), message);
        Assert.DoesNotContain("SQLite", message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("files", message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(StorageTraits.Name, StorageTraits.Embedded)]
    public async Task A_full_disk_answers_507_storage_full_and_keeps_nothing_of_the_part()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && Environment.UserName == "root",
            "This test mounts a small tmpfs to fill a disk for real, which needs Linux and root (CI runs as root).");

        var mountPoint = Directory.CreateTempSubdirectory("tessera-full-").FullName;
        await RunAsync("mount", $"-t tmpfs -o size=4m tmpfs {mountPoint}");
        try
        {
            var logs = new LogCapture();
            await using var server = await TesseraTestServer.StartAsync(dataPath: mountPoint,
                settings: new Dictionary<string, string> { ["Tessera:Sweeper:IntervalSeconds"] = "3600" }, configureServices: logs.AddTo);
            using var client = server.CreateClient();
            var uploadId = (await client.CreateUploadAsync(8 << 20)).Id();

            using var response = await client.PostPartAsync(uploadId, Api.RandomBytes(8 << 20));
            var error = await response.ShouldFailAsync(HttpStatusCode.InsufficientStorage, param: null, code: "storage_full", type: "server_error");
            Assert.Contains("bytes", error.GetProperty("message").GetString());
            Assert.Empty(server.TemporaryFiles());
            Assert.Empty(await server.StoredBlobKeysAsync());

            // Expected and handled: one warning line for the operator, no stack trace.
            var logged = Assert.Single(logs.Entries, e => e.Message.Contains("storage full", StringComparison.Ordinal));
            Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, logged.Level);
            Assert.Null(logged.Exception);
            Assert.DoesNotContain(logs.Entries, e => e.Exception is not null);

            // What was stored before stays readable.
            var parts = await (await client.GetAsync($"uploads/{uploadId}/parts")).ShouldSucceedAsync();
            Assert.Equal(0, parts.GetProperty("data").GetArrayLength());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            await RunAsync("umount", $"-l {mountPoint}");
            Directory.Delete(mountPoint, recursive: true);
        }
    }

    private static async Task RunAsync(string command, string arguments)
    {
        using var process = System.Diagnostics.Process.Start(command, arguments);
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
    }
}
