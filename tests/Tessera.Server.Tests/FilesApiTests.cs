using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

public sealed class FilesApiTests(KeyedServer fixture) : IClassFixture<KeyedServer>
{
    private readonly TesseraTestServer _server = fixture.Server;

    [Fact]
    public async Task Post_files_stores_a_multipart_file_whatever_the_field_order()
    {
        using var client = _server.CreateClient();
        var content = Api.RandomBytes(100_000);
        using var form = new MultipartFormDataContent
        {
            { new StringContent("user_data"), "purpose" },
            { new ByteArrayContent(content), "file", "notes.pdf" },
            { new StringContent("created_at"), "expires_after[anchor]" },
            { new StringContent("3600"), "expires_after[seconds]" },
        };
        var file = await (await client.PostAsync("files", form)).ShouldSucceedAsync();

        Assert.Equal(["id", "bytes", "created_at", "expires_at", "filename", "purpose", "object", "status", "status_details"],
            file.EnumerateObject().Select(p => p.Name));
        Assert.Equal("notes.pdf", file.GetProperty("filename").GetString());
        Assert.Equal("user_data", file.GetProperty("purpose").GetString());
        Assert.Equal(100_000, file.GetProperty("bytes").GetInt64());
        Assert.Equal(file.GetProperty("created_at").GetInt64() + 3600, file.GetProperty("expires_at").GetInt64());
        Assert.Equal(content, await client.GetByteArrayAsync($"files/{file.Id()}/content"));
    }

    [Theory]
    [InlineData(null, "assistants", "file")]
    [InlineData("x.txt", null, "purpose")]
    [InlineData("x.txt", "homework", "purpose")]
    public async Task Post_files_without_a_file_or_with_a_bad_purpose_is_refused_and_keeps_nothing(string? filename, string? purpose, string param)
    {
        using var client = _server.CreateClient();
        var blobsBefore = (await _server.StoredBlobKeysAsync()).ToHashSet();
        using var form = new MultipartFormDataContent();
        if (filename is not null)
        {
            form.Add(new ByteArrayContent([1, 2, 3]), "file", filename);
        }

        if (purpose is not null)
        {
            form.Add(new StringContent(purpose), "purpose");
        }

        using var response = await client.PostAsync("files", form);
        await response.ShouldFailAsync(HttpStatusCode.BadRequest, param);
        Assert.Subset(blobsBefore, (await _server.StoredBlobKeysAsync()).ToHashSet());
    }

    [Fact]
    public async Task Post_files_over_the_size_limit_is_refused_and_keeps_nothing()
    {
        await using var server = await TesseraTestServer.StartAsync(settings: new Dictionary<string, string> { ["Tessera:Limits:MaxFileBytes"] = "100000" });
        using var client = server.CreateClient();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("batch"), "purpose" },
            { new ByteArrayContent(Api.RandomBytes(100_001)), "file", "big.jsonl" },
        };
        using var response = await client.PostAsync("files", form);
        await response.ShouldFailAsync(HttpStatusCode.BadRequest, "file");
        Assert.Empty(await server.StoredBlobKeysAsync());
        Assert.Empty(server.TemporaryFiles());
    }

    [Fact]
    public async Task Listing_pages_through_more_files_than_a_page_with_after_limit_order_and_purpose()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = server.CreateClient();
        var created = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            created.Add((await client.UploadFileAsync([(byte)i], purpose: "fine-tune", filename: $"f{i}")).Id());
            server.Clock.Advance(TimeSpan.FromSeconds(i % 3 == 0 ? 1 : 0)); // several files share a created_at second
        }

        await client.UploadFileAsync([1], purpose: "vision");

        Assert.Equal(created, await ListAllAsync(client, "purpose=fine-tune&order=asc&limit=10"));
        Assert.Equal(Enumerable.Reverse(created), await ListAllAsync(client, "purpose=fine-tune&limit=7"));
        Assert.Equal(26, (await ListAllAsync(client, "limit=10000")).Count);

        var first = await (await client.GetAsync("files?purpose=fine-tune&order=asc&limit=10")).ShouldSucceedAsync();
        Assert.Equal("list", first.GetProperty("object").GetString());
        Assert.True(first.GetProperty("has_more").GetBoolean());
        Assert.Equal(created[0], first.GetProperty("first_id").GetString());
        Assert.Equal(created[9], first.GetProperty("last_id").GetString());

        var last = await (await client.GetAsync($"files?purpose=fine-tune&order=asc&limit=5&after={created[19]}")).ShouldSucceedAsync();
        Assert.False(last.GetProperty("has_more").GetBoolean());
        Assert.Equal(created[20..], last.GetProperty("data").EnumerateArray().Select(f => f.Id()));

        var empty = await (await client.GetAsync("files?purpose=batch")).ShouldSucceedAsync();
        Assert.Equal(0, empty.GetProperty("data").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("first_id").ValueKind);
        Assert.False(empty.GetProperty("has_more").GetBoolean());
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=10001", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("order=sideways", "order")]
    [InlineData("purpose=homework", "purpose")]
    [InlineData("after=file-doesnotexist", "after")]
    public async Task Listing_with_a_bad_query_is_refused_with_400_naming_it(string query, string param)
    {
        using var client = _server.CreateClient();
        await (await client.GetAsync($"files?{query}")).ShouldFailAsync(HttpStatusCode.BadRequest, param);
    }

    [Fact]
    public async Task Content_is_raw_bytes_whatever_Accept_says_with_length_etag_and_accept_ranges()
    {
        using var client = _server.CreateClient();
        var content = Api.RandomBytes(1234);
        var fileId = (await client.UploadFileAsync(content)).Id();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"files/{fileId}/content");
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1234, response.Content.Headers.ContentLength);
        Assert.NotNull(response.Headers.ETag);
        Assert.Contains("bytes", response.Headers.AcceptRanges);
        response.ShouldHaveRequestId();
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(95, 104)]
    [InlineData(100, 299)]
    [InlineData(250, null)]
    [InlineData(null, 7)]
    public async Task Content_honours_a_range_even_across_parts(int? from, int? to)
    {
        using var client = _server.CreateClient();
        var chunks = new[] { Api.RandomBytes(100), Api.RandomBytes(100), Api.RandomBytes(100) };
        var whole = chunks.SelectMany(c => c).ToArray();
        var uploadId = (await client.CreateUploadAsync(whole.Length)).Id();
        var partIds = new List<string>();
        foreach (var chunk in chunks)
        {
            partIds.Add(await client.AddPartAsync(uploadId, chunk));
        }

        var fileId = (await client.CompleteAsync(uploadId, partIds)).GetProperty("file").Id();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"files/{fileId}/content");
        request.Headers.Range = new RangeHeaderValue(from, to);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        var start = from ?? whole.Length - to!.Value;
        var end = from is null ? whole.Length - 1 : Math.Min(to ?? int.MaxValue, whole.Length - 1);
        Assert.Equal(whole[(int)start..((int)end + 1)], await response.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes {start}-{end}/{whole.Length}", response.Content.Headers.ContentRange?.ToString());
    }

    [Fact]
    public async Task A_range_past_the_end_answers_416_in_the_error_envelope()
    {
        using var client = _server.CreateClient();
        var fileId = (await client.UploadFileAsync(Api.RandomBytes(10))).Id();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"files/{fileId}/content");
        request.Headers.Range = new RangeHeaderValue(10, null);
        using var response = await client.SendAsync(request);
        await response.ShouldFailAsync(HttpStatusCode.RequestedRangeNotSatisfiable, "Range");
        Assert.Equal("bytes */10", response.Content.Headers.ContentRange?.ToString());
    }

    [Fact]
    public async Task Deleting_a_file_frees_its_bytes()
    {
        using var client = _server.CreateClient();
        var data = Api.RandomBytes(10);
        var uploadId = (await client.CreateUploadAsync(10)).Id();
        var partId = await client.AddPartAsync(uploadId, data);
        var fileId = (await client.CompleteAsync(uploadId, [partId])).GetProperty("file").Id();
        Assert.Contains(partId, await _server.StoredBlobKeysAsync());

        await (await client.DeleteAsync($"files/{fileId}")).ShouldSucceedAsync();
        await _server.AssertFreedAsync(partId);
    }

    private static async Task<List<string>> ListAllAsync(HttpClient client, string query)
    {
        var ids = new List<string>();
        string? after = null;
        for (var page = 0; page < 100; page++)
        {
            var body = await (await client.GetAsync($"files?{query}{(after is null ? "" : $"&after={after}")}")).ShouldSucceedAsync();
            ids.AddRange(body.GetProperty("data").EnumerateArray().Select(f => f.Id()));
            if (!body.GetProperty("has_more").GetBoolean())
            {
                return ids;
            }

            after = body.GetProperty("last_id").GetString();
        }

        throw new InvalidOperationException("has_more never became false");
    }
}
