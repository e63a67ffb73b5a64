using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// Per-project quotas (docs/api.md section 6): bytes, files and pending uploads each refused at the limit with 507
/// <c>quota_exceeded</c>, a message with the figures and <c>x-should-retry: false</c>; nothing of a refused write is
/// kept; freeing gives room back; usage survives a restart; and <c>GET /project/usage</c> says where a project stands.
/// </summary>
public sealed class QuotaTests
{
    private const int KiB = 1024;
    private const int MiB = 1024 * 1024;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_part_past_the_bytes_quota_is_refused_with_507_the_figures_and_nothing_kept()
    {
        await using var server = await StartAsync(("Tessera:Quotas:Bytes", $"{5 * MiB}"));
        using var client = server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(8 * MiB)).Id();
        for (var i = 0; i < 4; i++)
        {
            await client.AddPartAsync(uploadId, Api.RandomBytes(MiB));
        }

        using var response = await client.PostPartAsync(uploadId, Api.RandomBytes(2 * MiB));

        await ShouldBeQuotaRefusalAsync(response,
            "This part of 2.0 MiB would exceed project alpha's storage quota of 5.0 MiB: 1.0 MiB left. Delete files or cancel uploads to free room.");
        Assert.Equal(4, (await server.StoredBlobKeysAsync(Token)).Count);
        Assert.Empty(server.TemporaryFiles());
        await UsageShouldBeAsync(client, bytes: 4 * MiB, files: 0, pendingUploads: 1);
    }

    [Fact]
    public async Task A_part_that_fits_its_request_length_but_not_the_quota_is_cut_off_where_the_quota_ends()
    {
        await using var server = await StartAsync(("Tessera:Quotas:Bytes", $"{5 * MiB}"));
        using var client = server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(8 * MiB)).Id();
        await client.AddPartAsync(uploadId, Api.RandomBytes(4 * MiB + (512 * KiB)));

        using var response = await client.PostPartAsync(uploadId, Api.RandomBytes(MiB));

        await ShouldBeQuotaRefusalAsync(response,
            "This part of 1.0 MiB would exceed project alpha's storage quota of 5.0 MiB: 512.0 KiB left. Delete files or cancel uploads to free room.");
        Assert.Single(await server.StoredBlobKeysAsync(Token));
        Assert.Empty(server.TemporaryFiles());
        await UsageShouldBeAsync(client, bytes: 4 * MiB + (512 * KiB), files: 0, pendingUploads: 1);
    }

    [Fact]
    public async Task A_part_whose_length_cannot_fit_is_refused_before_its_body_is_sent()
    {
        await using var server = await StartAsync(("Tessera:Quotas:Bytes", $"{5 * MiB}"));
        using var client = server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(64 * MiB)).Id();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.Root.Host, server.Root.Port, Token);

        // Headers only, asking to wait for "100 Continue": the body never comes unless the server asks for it.
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"POST /v1/uploads/{uploadId}/parts HTTP/1.1\r\nHost: {server.Root.Authority}\r\nAuthorization: Bearer {TesseraTestServer.KeyA}\r\n" +
            $"Content-Type: multipart/form-data; boundary=B\r\nContent-Length: {64 * MiB}\r\nExpect: 100-continue\r\n\r\n"), Token);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var answer = await RawHttp.ReceiveUntilClosedAsync(socket, timeout.Token);

        Assert.StartsWith("HTTP/1.1 507 ", answer);
        Assert.Contains("x-should-retry: false", answer, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("This part of 64.0 MiB would exceed project alpha's storage quota of 5.0 MiB: 5.0 MiB left.", answer);
        Assert.Empty(await server.StoredBlobKeysAsync(Token));
    }

    [Fact]
    public async Task Eight_parts_in_parallel_against_a_quota_that_fits_five_store_exactly_five()
    {
        await using var server = await StartAsync(("Tessera:Quotas:Bytes", $"{5 * 512 * KiB}"));
        using var client = server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(8 * 512 * KiB)).Id();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.PostPartAsync(uploadId, Api.RandomBytes(512 * KiB))));

        try
        {
            Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
            foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
            {
                var message = await ShouldBeQuotaRefusalAsync(refused);
                Assert.EndsWith("would exceed project alpha's storage quota of 2.5 MiB: 0 bytes left. Delete files or cancel uploads to free room.", message);
            }

            await UsageShouldBeAsync(client, bytes: 5 * 512 * KiB, files: 0, pendingUploads: 1);
            var parts = (await (await client.GetAsync($"uploads/{uploadId}/parts", Token)).ShouldSucceedAsync()).GetProperty("data");
            Assert.Equal(5, parts.GetArrayLength());
            Assert.Equal(5, (await server.StoredBlobKeysAsync(Token)).Count);
            Assert.Empty(server.TemporaryFiles());
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task An_upload_past_the_pending_uploads_quota_is_refused_until_one_is_cancelled()
    {
        await using var server = await StartAsync(("Tessera:Quotas:PendingUploads", "2"));
        using var client = server.CreateClient();
        var first = (await client.CreateUploadAsync(10)).Id();
        await client.CreateUploadAsync(10);

        using (var refused = await PostCreateUploadAsync(client))
        {
            await ShouldBeQuotaRefusalAsync(refused,
                "Creating 1 more pending upload would exceed project alpha's quota of 2 pending uploads: 0 left. Complete or cancel pending uploads to free room.");
        }

        await UsageShouldBeAsync(client, bytes: 0, files: 0, pendingUploads: 2);
        (await client.PostCancelAsync(first)).Dispose();
        await client.CreateUploadAsync(10);
        await UsageShouldBeAsync(client, bytes: 0, files: 0, pendingUploads: 2);
    }

    [Fact]
    public async Task Expired_uploads_and_files_give_their_room_back_once_swept()
    {
        await using var server = await StartAsync(("Tessera:Quotas:PendingUploads", "1"), ("Tessera:Quotas:Bytes", $"{MiB}"));
        using var client = server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(MiB)).Id();
        await client.AddPartAsync(uploadId, Api.RandomBytes(MiB));
        using (var refused = await PostCreateUploadAsync(client))
        {
            await ShouldBeQuotaRefusalAsync(refused);
        }

        server.Clock.Advance(TimeSpan.FromHours(2));
        await server.Reclaimer.ExpireOverdueAsync(CancellationToken.None);

        await UsageShouldBeAsync(client, bytes: 0, files: 0, pendingUploads: 0);
        var again = (await client.CreateUploadAsync(MiB)).Id();
        await client.AddPartAsync(again, Api.RandomBytes(MiB));
    }

    [Fact]
    public async Task A_complete_past_the_files_quota_is_refused_and_leaves_the_upload_pending_to_complete_once_a_file_is_deleted()
    {
        await using var server = await StartAsync(("Tessera:Quotas:Files", "1"));
        using var client = server.CreateClient();
        var firstFile = (await client.UploadFileAsync(Api.RandomBytes(100))).Id();
        var content = Api.RandomBytes(200);
        var uploadId = (await client.CreateUploadAsync(content.Length)).Id();
        var partId = await client.AddPartAsync(uploadId, content);

        using (var refused = await client.PostCompleteAsync(uploadId, [partId]))
        {
            await ShouldBeQuotaRefusalAsync(refused,
                "Completing this upload as 1 more file would exceed project alpha's quota of 1 files: 0 left. Delete files to free room, then complete the upload again: it stays pending until it expires.");
        }

        var upload = await (await client.GetAsync($"uploads/{uploadId}", Token)).ShouldSucceedAsync();
        Assert.Equal("pending", upload.GetProperty("status").GetString());
        await UsageShouldBeAsync(client, bytes: 300, files: 1, pendingUploads: 1);

        (await client.DeleteAsync($"files/{firstFile}", Token)).Dispose();
        var file = (await client.CompleteAsync(uploadId, [partId])).GetProperty("file");

        Assert.Equal(content, await client.GetByteArrayAsync($"files/{file.Id()}/content", Token));
        await UsageShouldBeAsync(client, bytes: 200, files: 1, pendingUploads: 0);
    }

    [Fact]
    public async Task A_file_posted_past_the_files_or_bytes_quota_is_refused_and_nothing_kept()
    {
        await using var server = await StartAsync(("Tessera:Quotas:Files", "1"), ("Tessera:Quotas:Bytes", $"{MiB}"));
        using var client = server.CreateClient();
        using (var tooLarge = await PostFileAsync(client, Api.RandomBytes(MiB + 1)))
        {
            await ShouldBeQuotaRefusalAsync(tooLarge,
                "This file of 1.0 MiB would exceed project alpha's storage quota of 1.0 MiB: 1.0 MiB left. Delete files or cancel uploads to free room.");
        }

        using (var first = await PostFileAsync(client, Api.RandomBytes(100)))
        {
            await first.ShouldSucceedAsync();
        }

        using (var second = await PostFileAsync(client, Api.RandomBytes(100)))
        {
            await ShouldBeQuotaRefusalAsync(second,
                "Creating 1 more file would exceed project alpha's quota of 1 files: 0 left. Delete files to free room.");
        }

        Assert.Single(await server.StoredBlobKeysAsync(Token));
        await UsageShouldBeAsync(client, bytes: 100, files: 1, pendingUploads: 0);
    }

    [Fact]
    public async Task A_project_at_its_own_quota_leaves_another_project_unaffected()
    {
        await using var server = await StartAsync(("Tessera:Projects:0:Quotas:PendingUploads", "1"), ("Tessera:Quotas:Bytes", $"{MiB}"));
        using var alpha = server.CreateClient(TesseraTestServer.KeyA);
        using var beta = server.CreateClient(TesseraTestServer.KeyB);
        await alpha.CreateUploadAsync(10);

        using (var refused = await PostCreateUploadAsync(alpha))
        {
            await ShouldBeQuotaRefusalAsync(refused);
        }

        await beta.CreateUploadAsync(10);
        await beta.CreateUploadAsync(10);
        var usage = await (await beta.GetAsync("project/usage", Token)).ShouldSucceedAsync();
        Assert.Equal("beta", usage.GetProperty("project").GetString());
        Assert.Equal(2, usage.GetProperty("usage").GetProperty("pending_uploads").GetInt64());
        Assert.Equal(JsonValueKind.Null, usage.GetProperty("limits").GetProperty("pending_uploads").ValueKind);
        Assert.Equal(MiB, usage.GetProperty("limits").GetProperty("bytes").GetInt64());
        var alphaUsage = await (await alpha.GetAsync("project/usage", Token)).ShouldSucceedAsync();
        Assert.Equal(1, alphaUsage.GetProperty("limits").GetProperty("pending_uploads").GetInt64());
    }

    [Fact]
    public async Task Usage_is_answered_in_open_mode_for_the_default_project_on_both_paths_with_null_for_no_limit()
    {
        await using var server = await TesseraTestServer.StartAsync(openMode: true, settings: new Dictionary<string, string> { ["Tessera:Quotas:Files"] = "10" });
        using var client = server.CreateClient("any-token");
        await client.UploadFileAsync(Api.RandomBytes(1234));
        using var root = new HttpClient { BaseAddress = server.Root };
        root.DefaultRequestHeaders.Authorization = new("Bearer", "any-token");

        foreach (var usage in new[] { await client.GetAsync("project/usage", Token), await root.GetAsync("project/usage", Token) })
        {
            var body = await usage.ShouldSucceedAsync();
            Assert.Equal(
                """{"object":"project.usage","project":"default","usage":{"bytes":1234,"files":1,"pending_uploads":0},"limits":{"bytes":null,"files":10,"pending_uploads":null}}""",
                body.GetRawText());
            usage.Dispose();
        }
    }

    [Fact]
    public async Task Usage_needs_an_api_key_like_every_endpoint()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = server.CreateClient(key: null);

        using var response = await client.GetAsync("project/usage", Token);

        await response.ShouldFailAsync(HttpStatusCode.Unauthorized, null);
    }

    [Fact]
    public async Task Usage_and_the_quota_it_bounds_survive_a_restart()
    {
        var dataPath = Directory.CreateTempSubdirectory("tessera-quota-").FullName;
        try
        {
            (string, string)[] settings = [("Tessera:Quotas:Bytes", $"{MiB}")];
            await using (var before = await StartAsync(dataPath, settings))
            {
                using var client = before.CreateClient();
                await client.UploadFileAsync(Api.RandomBytes(600 * KiB));
                await client.AddPartAsync((await client.CreateUploadAsync(MiB)).Id(), Api.RandomBytes(300 * KiB));
            }

            await using var after = await StartAsync(dataPath, settings);
            using var again = after.CreateClient();
            await UsageShouldBeAsync(again, bytes: 900 * KiB, files: 1, pendingUploads: 1);
            using var refused = await again.PostPartAsync((await again.CreateUploadAsync(MiB)).Id(), Api.RandomBytes(200 * KiB));
            await ShouldBeQuotaRefusalAsync(refused,
                "This part of 200.2 KiB would exceed project alpha's storage quota of 1.0 MiB: 124.0 KiB left. Delete files or cancel uploads to free room.");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataPath, recursive: true);
        }
    }

    private static Task<TesseraTestServer> StartAsync(params (string Key, string Value)[] settings) =>
        TesseraTestServer.StartAsync(settings: settings.ToDictionary(s => s.Key, s => s.Value));

    private static Task<TesseraTestServer> StartAsync(string dataPath, (string Key, string Value)[] settings) =>
        TesseraTestServer.StartAsync(settings: settings.ToDictionary(s => s.Key, s => s.Value), dataPath: dataPath);

    private static Task<HttpResponseMessage> PostCreateUploadAsync(HttpClient client) =>
        client.PostAsJsonAsync("uploads", new { filename = "data.bin", purpose = "assistants", bytes = 10, mime_type = "application/octet-stream" }, Token);

    private static async Task<HttpResponseMessage> PostFileAsync(HttpClient client, byte[] content)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent("assistants"), "purpose" },
            { new ByteArrayContent(content), "file", "data.jsonl" },
        };
        return await client.PostAsync("files", form, Token);
    }

    /// <summary>Asserts the 507 of a quota and, when given, its exact message; returns the message.</summary>
    internal static async Task<string> ShouldBeQuotaRefusalAsync(HttpResponseMessage response, string? message = null)
    {
        var error = await response.ShouldFailAsync(HttpStatusCode.InsufficientStorage, param: null, code: "quota_exceeded");
        Assert.Equal("false", Assert.Single(response.Headers.GetValues("x-should-retry")));
        var text = error.GetProperty("message").GetString()!;
        if (message is not null)
        {
            Assert.Equal(message, text);
        }

        return text;
    }

    internal static async Task UsageShouldBeAsync(HttpClient client, long bytes, long files, long pendingUploads)
    {
        using var response = await client.GetAsync("project/usage", Token);
        var usage = (await response.ShouldSucceedAsync()).GetProperty("usage");
        Assert.Equal((bytes, files, pendingUploads),
            (usage.GetProperty("bytes").GetInt64(), usage.GetProperty("files").GetInt64(), usage.GetProperty("pending_uploads").GetInt64()));
    }
}
