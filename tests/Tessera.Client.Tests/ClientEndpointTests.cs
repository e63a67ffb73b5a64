using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Contracts;

namespace Tessera.Client.Tests;

/// <summary>Every endpoint of the contract through the client, against a real server.</summary>
public sealed class ClientEndpointTests : IAsyncLifetime
{
    private TesseraTestServer _server = null!;
    private TesseraClient _client = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await TesseraTestServer.StartAsync();
        _client = NewClient(TesseraTestServer.KeyA);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task An_upload_created_filled_listed_and_completed_through_the_client_makes_a_file_with_its_bytes()
    {
        var first = Encoding.UTF8.GetBytes("hello ");
        var second = Encoding.UTF8.GetBytes("world");

        var upload = await _client.Uploads.CreateAsync(new CreateUploadRequest
        {
            Filename = "greeting.txt",
            Purpose = "assistants",
            Bytes = 11,
            MimeType = "text/plain",
            ExpiresAfter = new ExpiresAfter { Seconds = 7200 },
        }, Token);
        var a = await _client.Uploads.AddPartAsync(upload.Id, first, Token);
        // A stream that cannot seek, as standard input.
        var b = await _client.Uploads.AddPartAsync(upload.Id, new NonSeekableStream(second), Token);
        var parts = await _client.Uploads.ListPartsAsync(upload.Id, Token);
        var pending = await _client.Uploads.GetAsync(upload.Id, Token);
        var completed = await _client.Uploads.CompleteAsync(upload.Id, new CompleteUploadRequest { PartIds = [a.Id, b.Id], Md5 = "5eb63bbbe01eeed093cb22bb8f5acdc3" }, Token);

        Assert.StartsWith("upload_", upload.Id);
        Assert.Equal(UploadStatuses.Pending, pending.Status);
        Assert.Equal(upload.Id, a.UploadId);
        Assert.Equal([(a.Id, 6L, Crc32C.ToHeaderValue(Crc32C.Compute(first))), (b.Id, 5L, Crc32C.ToHeaderValue(Crc32C.Compute(second)))],
            parts.Data.Select(p => (p.Id, p.Bytes, p.Crc32C)).OrderBy(p => p.Bytes == 5));
        Assert.Equal(UploadStatuses.Completed, completed.Status);
        var file = Assert.IsType<FileObject>(completed.File);
        Assert.Equal(("greeting.txt", 11L, "assistants"), (file.Filename, file.Bytes, file.Purpose));
        Assert.Equal(file.CreatedAt + 7200, file.ExpiresAt);
        Assert.Equal("hello world", await ReadAllTextAsync(file.Id));
    }

    [Fact]
    public async Task A_cancelled_upload_answers_cancelled_and_accepts_no_more_parts()
    {
        var upload = await _client.Uploads.CreateAsync(new CreateUploadRequest { Filename = "x", Purpose = "batch", Bytes = 3, MimeType = "text/plain" }, Token);

        var cancelled = await _client.Uploads.CancelAsync(upload.Id, Token);
        var refused = await Assert.ThrowsAsync<TesseraApiException>(() => _client.Uploads.AddPartAsync(upload.Id, new byte[] { 1, 2, 3 }, Token));

        Assert.Equal(UploadStatuses.Cancelled, cancelled.Status);
        Assert.Null(cancelled.File);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
    }

    [Fact]
    public async Task Pending_uploads_are_listed_page_by_page_with_their_received_bytes_through_the_client()
    {
        var created = new List<UploadObject>();
        for (var i = 0; i < 3; i++)
        {
            created.Add(await _client.Uploads.CreateAsync(new CreateUploadRequest { Filename = $"u{i}.bin", Purpose = "user_data", Bytes = 10, MimeType = "application/octet-stream" }, Token));
        }

        await _client.Uploads.AddPartAsync(created[1].Id, new byte[] { 1, 2, 3, 4 }, Token);
        var cancelled = await _client.Uploads.CreateAsync(new CreateUploadRequest { Filename = "gone.bin", Purpose = "batch", Bytes = 3, MimeType = "text/plain" }, Token);
        await _client.Uploads.CancelAsync(cancelled.Id, Token);

        var firstPage = await _client.Uploads.ListAsync(new UploadListOptions { Limit = 2, Order = "asc" }, Token);
        var everyPending = new List<PendingUploadObject>();
        await foreach (var upload in _client.Uploads.ListAllAsync(new UploadListOptions { Limit = 1, Order = "asc" }, Token))
        {
            everyPending.Add(upload);
        }

        var newestFirst = await _client.Uploads.ListAsync(cancellationToken: Token);

        Assert.True(firstPage.HasMore);
        Assert.Equal(created[..2].Select(u => u.Id), firstPage.Data.Select(u => u.Id));
        Assert.Equal(created.Select(u => (u.Id, u.Filename)), everyPending.Select(u => (u.Id, u.Filename)));
        Assert.Equal([0L, 4L, 0L], everyPending.Select(u => u.ReceivedBytes));
        Assert.All(everyPending, u => Assert.Equal((UploadStatuses.Pending, 10L, "user_data"), (u.Status, u.Bytes, u.Purpose)));
        Assert.Equal(created.Select(u => u.Id).Reverse(), newestFirst.Data.Select(u => u.Id));
    }

    [Fact]
    public async Task Files_are_created_read_listed_page_by_page_and_deleted_through_the_client()
    {
        var created = new List<FileObject>();
        for (var i = 0; i < 5; i++)
        {
            created.Add(await _client.Files.CreateAsync(new MemoryStream(Encoding.UTF8.GetBytes($"file number {i}")), $"f{i}.jsonl", "batch", cancellationToken: Token));
        }

        var other = await _client.Files.CreateAsync(new NonSeekableStream([9, 9]), "other.bin", "user_data", new ExpiresAfter { Seconds = 3600 }, Token);

        var fetched = await _client.Files.GetAsync(created[0].Id, Token);
        var firstPage = await _client.Files.ListAsync(new FileListOptions { Purpose = "batch", Limit = 2, Order = "asc" }, Token);
        var everyBatchFile = new List<FileObject>();
        await foreach (var file in _client.Files.ListAllAsync(new FileListOptions { Purpose = "batch", Limit = 2, Order = "asc" }, Token))
        {
            everyBatchFile.Add(file);
        }

        await using (var tail = await _client.Files.OpenContentAsync(created[3].Id, offset: 5, Token))
        {
            Assert.Equal("number 3", await new StreamReader(tail.Stream).ReadToEndAsync(Token));
            Assert.Equal(13, tail.TotalLength);
        }

        var deleted = await _client.Files.DeleteAsync(created[4].Id, Token);
        var gone = await Assert.ThrowsAsync<TesseraApiException>(() => _client.Files.GetAsync(created[4].Id, Token));

        Assert.Equal(created[0], fetched);
        Assert.Equal(("file", "processed", 13L), (fetched.Object, fetched.Status, fetched.Bytes));
        Assert.Equal(2, firstPage.Data.Count);
        Assert.True(firstPage.HasMore);
        Assert.Equal(created.Select(f => f.Id), everyBatchFile.Select(f => f.Id));
        Assert.Equal(other.CreatedAt + 3600, other.ExpiresAt);
        Assert.Equal("file number 0", await ReadAllTextAsync(created[0].Id));
        Assert.True(deleted.Deleted);
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
    }

    [Fact]
    public async Task The_raw_answer_is_the_body_as_the_server_sent_it_with_its_request_id()
    {
        var response = await _client.Uploads.CreateWithResponseAsync(new CreateUploadRequest { Filename = "r", Purpose = "batch", Bytes = 1, MimeType = "x" }, Token);

        var json = response.ToJsonElement();
        Assert.Equal(response.Value.Id, json.GetProperty("id").GetString());
        Assert.Equal("upload", json.GetProperty("object").GetString());
        Assert.StartsWith("{\"id\":\"upload_", response.Body);
        Assert.Matches("^req_[0-9a-f]{32}$", response.RequestId);
    }

    [Fact]
    public async Task A_400_is_one_exception_with_status_type_param_message_and_request_id()
    {
        var error = await Assert.ThrowsAsync<TesseraApiException>(() =>
            _client.Uploads.CreateAsync(new CreateUploadRequest { Filename = "x", Purpose = "holiday-photos", Bytes = 1, MimeType = "x" }, Token));

        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Equal("invalid_request_error", error.Type);
        Assert.Equal("purpose", error.Param);
        Assert.Null(error.Code);
        Assert.Contains("holiday-photos", error.ApiMessage);
        Assert.Matches("^req_[0-9a-f]{32}$", error.RequestId);
        Assert.StartsWith($"POST \"{_server.BaseAddress}uploads\": 400 Bad Request", error.Message);
    }

    [Fact]
    public async Task A_401_for_an_unknown_key_carries_the_code_invalid_api_key()
    {
        using var stranger = NewClient("sk-nobody-knows-this-key-000000");

        var error = await Assert.ThrowsAsync<TesseraApiException>(() => stranger.Files.ListAsync(cancellationToken: Token));

        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.Equal("invalid_api_key", error.Code);
        Assert.DoesNotContain("sk-nobody-knows-this-key-000000", error.Message);
    }

    [Fact]
    public async Task The_project_setting_is_sent_as_the_OpenAI_Project_header()
    {
        using var wrongProject = new TesseraClient(new TesseraClientOptions
        {
            BaseUrl = _server.BaseAddress.ToString(),
            ApiKey = TesseraTestServer.KeyA,
            Project = TesseraTestServer.ProjectB,
            UseEnvironment = false,
        });
        using var rightProject = new TesseraClient(new TesseraClientOptions
        {
            BaseUrl = _server.BaseAddress.ToString(),
            ApiKey = TesseraTestServer.KeyA,
            Project = TesseraTestServer.ProjectA,
            Organization = "org-any",
            UseEnvironment = false,
        });

        var error = await Assert.ThrowsAsync<TesseraApiException>(() => wrongProject.Files.ListAsync(cancellationToken: Token));
        var page = await rightProject.Files.ListAsync(cancellationToken: Token);

        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.Equal("invalid_project", error.Code);
        Assert.Empty(page.Data);
    }

    [Fact]
    public async Task A_404_names_the_missing_id_in_param_and_message()
    {
        var error = await Assert.ThrowsAsync<TesseraApiException>(() => _client.Uploads.CancelAsync("upload_abc123", Token));

        Assert.Equal(HttpStatusCode.NotFound, error.Status);
        Assert.Equal("id", error.Param);
        Assert.Equal("No such Upload object: upload_abc123", error.ApiMessage);
    }

    [Fact]
    public async Task A_client_registered_with_AddTesseraClient_reaches_the_server_through_the_factory()
    {
        var services = new ServiceCollection();
        services.AddTesseraClient(options =>
        {
            options.BaseUrl = _server.BaseAddress.ToString();
            options.ApiKey = TesseraTestServer.KeyA;
            options.UseEnvironment = false;
        });
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<TesseraClient>();
        var file = await client.Files.CreateAsync(new MemoryStream([1, 2, 3]), "di.bin", "user_data", cancellationToken: Token);

        Assert.Equal(3, (await client.Files.GetAsync(file.Id, Token)).Bytes);
    }

    private TesseraClient NewClient(string key) => new(new TesseraClientOptions
    {
        BaseUrl = _server.BaseAddress.ToString(),
        ApiKey = key,
        UseEnvironment = false,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
    });

    private async Task<string> ReadAllTextAsync(string fileId)
    {
        await using var content = await _client.Files.OpenContentAsync(fileId, cancellationToken: Token);
        return await new StreamReader(content.Stream).ReadToEndAsync(Token);
    }
}
