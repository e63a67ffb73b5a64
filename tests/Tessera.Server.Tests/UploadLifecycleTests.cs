using System.Net;
using System.Net.Http.Json;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

public sealed class UploadLifecycleTests(KeyedServer fixture) : IClassFixture<KeyedServer>
{
    private readonly TesseraTestServer _server = fixture.Server;

    [Fact]
    public async Task Create_answers_a_pending_upload_that_expires_an_hour_later_without_a_file_key()
    {
        using var client = _server.CreateClient();
        var upload = await client.CreateUploadAsync(123, "fine-tune", "train.jsonl");

        Assert.Matches("^upload_[0-9a-f]{32}$", upload.Id());
        Assert.Equal("upload", upload.GetProperty("object").GetString());
        Assert.Equal("pending", upload.GetProperty("status").GetString());
        Assert.Equal(123, upload.GetProperty("bytes").GetInt64());
        Assert.Equal("train.jsonl", upload.GetProperty("filename").GetString());
        Assert.Equal("fine-tune", upload.GetProperty("purpose").GetString());
        Assert.Equal(upload.GetProperty("created_at").GetInt64() + 3600, upload.GetProperty("expires_at").GetInt64());
        Assert.False(upload.TryGetProperty("file", out _));
    }

    [Fact]
    public async Task Parts_sent_in_parallel_and_out_of_order_are_assembled_in_part_ids_order()
    {
        using var client = _server.CreateClient();
        var chunks = Enumerable.Range(0, 6).Select(i => Api.RandomBytes(50_000 + (i * 1000))).ToArray();
        var whole = chunks.SelectMany(c => c).ToArray();
        var uploadId = (await client.CreateUploadAsync(whole.Length)).Id();

        // Send in reverse, all at once; list in the right order at completion.
        var partIds = await Task.WhenAll(chunks.Select((chunk, i) => (chunk, i)).Reverse()
            .Select(async x => (x.i, id: await client.AddPartAsync(uploadId, x.chunk))));
        var ordered = partIds.OrderBy(p => p.i).Select(p => p.id).ToList();

        var completed = await client.CompleteAsync(uploadId, ordered, Api.Md5Hex(whole));
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        var file = completed.GetProperty("file");
        Assert.Matches("^file-[1-9A-HJ-NP-Za-km-z]{22}$", file.Id());
        Assert.Equal(whole.Length, file.GetProperty("bytes").GetInt64());
        Assert.Equal("processed", file.GetProperty("status").GetString());
        Assert.Equal(completed.GetProperty("created_at").GetInt64(), file.GetProperty("created_at").GetInt64());
        Assert.Equal(whole, await client.GetByteArrayAsync($"files/{file.Id()}/content"));
    }

    [Fact]
    public async Task A_part_sent_twice_is_stored_twice_but_only_the_listed_one_is_in_the_file()
    {
        using var client = _server.CreateClient();
        var first = Api.RandomBytes(1000);
        var second = Api.RandomBytes(500);
        var uploadId = (await client.CreateUploadAsync(1500)).Id();
        var firstId = await client.AddPartAsync(uploadId, first);
        var retriedId = await client.AddPartAsync(uploadId, first);
        var secondId = await client.AddPartAsync(uploadId, second);
        Assert.NotEqual(firstId, retriedId);

        using (var parts = await client.GetAsync($"uploads/{uploadId}/parts"))
        {
            Assert.Equal(3, (await parts.ShouldSucceedAsync()).GetProperty("data").GetArrayLength());
        }

        var file = (await client.CompleteAsync(uploadId, [retriedId, secondId])).GetProperty("file");
        Assert.Equal(first.Concat(second).ToArray(), await client.GetByteArrayAsync($"files/{file.Id()}/content"));
        await _server.AssertFreedAsync(firstId);
    }

    [Fact]
    public async Task Complete_refuses_parts_that_do_not_add_up_to_the_declared_bytes()
    {
        using var client = _server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(100)).Id();
        var partId = await client.AddPartAsync(uploadId, Api.RandomBytes(99));

        using var response = await client.PostCompleteAsync(uploadId, [partId]);
        var error = await response.ShouldFailAsync(HttpStatusCode.BadRequest, "part_ids");
        Assert.Contains("expected 100 bytes, got 99", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("lower-hex")]
    [InlineData("upper-hex")]
    [InlineData("base64")]
    public async Task Complete_accepts_the_md5_as_hex_of_either_case_or_as_base64(string form)
    {
        using var client = _server.CreateClient();
        var data = Api.RandomBytes(4096);
        var digest = System.Security.Cryptography.MD5.HashData(data);
        var md5 = form switch
        {
            "lower-hex" => Convert.ToHexStringLower(digest),
            "upper-hex" => Convert.ToHexString(digest),
            _ => Convert.ToBase64String(digest),
        };
        var uploadId = (await client.CreateUploadAsync(data.Length)).Id();
        var partId = await client.AddPartAsync(uploadId, data);

        var completed = await client.CompleteAsync(uploadId, [partId], md5);
        Assert.Equal("completed", completed.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Complete_with_a_wrong_md5_is_refused_and_leaves_the_upload_pending()
    {
        using var client = _server.CreateClient();
        var data = Api.RandomBytes(2048);
        var uploadId = (await client.CreateUploadAsync(data.Length)).Id();
        var partId = await client.AddPartAsync(uploadId, data);

        using (var response = await client.PostCompleteAsync(uploadId, [partId], Api.Md5Hex([1, 2, 3])))
        {
            await response.ShouldFailAsync(HttpStatusCode.BadRequest, "md5");
        }

        var upload = await (await client.GetAsync($"uploads/{uploadId}")).ShouldSucceedAsync();
        Assert.Equal("pending", upload.GetProperty("status").GetString());
        Assert.Equal("completed", (await client.CompleteAsync(uploadId, [partId], Api.Md5Hex(data))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_empty_upload_completes_with_no_parts_into_an_empty_file()
    {
        using var client = _server.CreateClient();
        var file = await client.UploadFileAsync([]);
        Assert.Equal(0, file.GetProperty("bytes").GetInt64());
        Assert.Empty(await client.GetByteArrayAsync($"files/{file.Id()}/content"));
    }

    [Fact]
    public async Task An_upload_of_8_GiB_is_accepted_and_one_byte_more_is_refused()
    {
        using var client = _server.CreateClient();
        var upload = await client.CreateUploadAsync(8L << 30);
        Assert.Equal(8L << 30, upload.GetProperty("bytes").GetInt64());

        using var response = await client.PostAsJsonAsync("uploads",
            new { filename = "big", purpose = "batch", bytes = (8L << 30) + 1, mime_type = "application/jsonl" });
        await response.ShouldFailAsync(HttpStatusCode.BadRequest, "bytes");
    }

    [Fact]
    public async Task Expires_after_on_the_upload_sets_the_expiry_of_the_file_it_makes()
    {
        using var client = _server.CreateClient();
        var data = Api.RandomBytes(10);
        var upload = await client.CreateUploadAsync(data.Length, expiresAfter: new { anchor = "created_at", seconds = 7200 });
        var partId = await client.AddPartAsync(upload.Id(), data);
        var file = (await client.CompleteAsync(upload.Id(), [partId])).GetProperty("file");
        Assert.Equal(file.GetProperty("created_at").GetInt64() + 7200, file.GetProperty("expires_at").GetInt64());
    }

    [Fact]
    public async Task A_batch_file_expires_after_30_days_and_other_files_never_by_default()
    {
        using var client = _server.CreateClient();
        var batch = await client.UploadFileAsync([1], purpose: "batch");
        Assert.Equal(batch.GetProperty("created_at").GetInt64() + 2_592_000, batch.GetProperty("expires_at").GetInt64());
        var assistants = await client.UploadFileAsync([1], purpose: "assistants");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, assistants.GetProperty("expires_at").ValueKind);
    }

    [Fact]
    public async Task Listing_parts_gives_their_sizes_and_checksums_so_a_client_can_resume()
    {
        using var client = _server.CreateClient();
        var data = Api.RandomBytes(777);
        var uploadId = (await client.CreateUploadAsync(1000)).Id();
        var partId = await client.AddPartAsync(uploadId, data);

        var parts = (await (await client.GetAsync($"uploads/{uploadId}/parts")).ShouldSucceedAsync()).GetProperty("data");
        var part = Assert.Single(parts.EnumerateArray());
        Assert.Equal(partId, part.Id());
        Assert.Equal(777, part.GetProperty("bytes").GetInt64());
        Assert.Equal(Crc32C.ToHeaderValue(Crc32C.Compute(data)), part.GetProperty("crc32c").GetString());
    }

    [Fact]
    public async Task Routes_are_served_both_under_v1_and_bare()
    {
        using var client = _server.CreateClient();
        client.BaseAddress = _server.Root;
        var upload = await client.CreateUploadAsync(5);
        using var v1 = _server.CreateClient();
        Assert.Equal("pending", (await (await v1.GetAsync($"uploads/{upload.Id()}")).ShouldSucceedAsync()).GetProperty("status").GetString());
    }
}
