using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Storage;

namespace Tessera.Server.Tests;

/// <summary>
/// CRC32C on every part and file (docs/api.md section 6): computed as the bytes arrive, checked against the client's
/// <c>x-tessera-checksum-crc32c</c>, combined into the whole file's at complete without reading a byte.
/// </summary>
public sealed class ChecksumTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Creating_an_upload_announces_that_parts_are_checked_with_CRC32C()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = server.CreateClient();

        using var response = await client.PostAsJsonAsync("uploads", new { filename = "a.bin", purpose = "assistants", bytes = 1, mime_type = "application/octet-stream" }, Token);

        await response.ShouldSucceedAsync();
        Assert.Equal("crc32c", Assert.Single(response.Headers.GetValues(ChecksumHeaders.Algorithms)));
    }

    [Fact]
    public async Task A_part_whose_checksum_header_does_not_match_its_bytes_is_refused_and_leaves_nothing()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = server.CreateClient();
        var data = Api.RandomBytes(70_001);
        var uploadId = (await client.CreateUploadAsync(data.Length)).Id();
        var blobsBefore = (await server.StoredBlobKeysAsync(Token)).ToHashSet();
        var damaged = (byte[])data.Clone();
        damaged[12_345] ^= 0x10;

        using var refused = await PostPartAsync(client, uploadId, damaged, Crc32C.ToHeaderValue(Crc32C.Compute(data)));

        var error = await refused.ShouldFailAsync(HttpStatusCode.BadRequest, null, "checksum_mismatch");
        Assert.Contains(Crc32C.ToHeaderValue(Crc32C.Compute(damaged)), error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("Nothing was stored", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await (await client.GetAsync($"uploads/{uploadId}/parts", Token)).ShouldSucceedAsync()).GetProperty("data").GetArrayLength());
        await Eventually.HoldsAsync(async () => (await server.StoredBlobKeysAsync(Token)).ToHashSet().SetEquals(blobsBefore), "the refused part's bytes are deleted");

        // The client sends it again, intact this time.
        using var resent = await PostPartAsync(client, uploadId, data, Crc32C.ToHeaderValue(Crc32C.Compute(data)));
        var partId = (await resent.ShouldSucceedAsync()).Id();
        var completed = await client.CompleteAsync(uploadId, [partId]);
        Assert.Equal(data, await client.GetByteArrayAsync($"files/{completed.GetProperty("file").Id()}/content", Token));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("4waSgw")]
    [InlineData("e3069283")]
    public async Task A_checksum_header_that_is_not_the_base64_of_four_bytes_is_refused_with_400(string value)
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(3)).Id();

        using var part = await PostPartAsync(client, uploadId, [1, 2, 3], value);
        using var complete = await PostCompleteAsync(client, uploadId, [], value);

        Assert.Contains("is not a CRC32C", (await part.ShouldFailAsync(HttpStatusCode.BadRequest, null, "invalid_checksum")).GetProperty("message").GetString(), StringComparison.Ordinal);
        await complete.ShouldFailAsync(HttpStatusCode.BadRequest, null, "invalid_checksum");
        Assert.Equal(0, (await (await client.GetAsync($"uploads/{uploadId}/parts", Token)).ShouldSucceedAsync()).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task A_stored_part_answers_and_lists_its_checksum_and_no_md5()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = server.CreateClient();
        var data = Api.RandomBytes(5 * 1024 * 1024 + 3);
        var expected = Crc32C.ToHeaderValue(Crc32C.Compute(data));
        var uploadId = (await client.CreateUploadAsync(data.Length + 1)).Id();

        using var checkedPart = await PostPartAsync(client, uploadId, data, expected);
        using var uncheckedPart = await client.PostPartAsync(uploadId, [42]);

        await checkedPart.ShouldSucceedAsync();
        await uncheckedPart.ShouldSucceedAsync();
        Assert.Equal(expected, Assert.Single(checkedPart.Headers.GetValues(ChecksumHeaders.Crc32C)));
        Assert.Equal(Crc32C.ToHeaderValue(Crc32C.Compute([42])), Assert.Single(uncheckedPart.Headers.GetValues(ChecksumHeaders.Crc32C)));
        var listed = (await (await client.GetAsync($"uploads/{uploadId}/parts", Token)).ShouldSucceedAsync()).GetProperty("data");
        Assert.Equal([expected, Crc32C.ToHeaderValue(Crc32C.Compute([42]))], listed.EnumerateArray().Select(p => p.GetProperty("crc32c").GetString()));
        Assert.All(listed.EnumerateArray(), p => Assert.Equal(System.Text.Json.JsonValueKind.Null, p.GetProperty("md5").ValueKind));
    }

    [Theory]
    [InlineData(new[] { 1 })]
    [InlineData(new[] { 300_000 })]
    [InlineData(new[] { 1, 2, 3, 5, 8, 13, 21 })]
    [InlineData(new[] { 65_537, 7, 1_048_579, 4_095 })]
    public async Task The_files_checksum_is_the_CRC32C_of_its_bytes_combined_from_its_parts(int[] sizes)
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = server.CreateClient();
        var parts = sizes.Select(Api.RandomBytes).ToArray();
        var whole = parts.SelectMany(p => p).ToArray();
        var expected = Crc32C.ToHeaderValue(Crc32C.Compute(whole));
        var uploadId = (await client.CreateUploadAsync(whole.Length)).Id();
        // Sent in parallel and named in the file's order, which is not the order they arrived in.
        var partIds = await Task.WhenAll(parts.Select(p => client.AddPartAsync(uploadId, p)));

        using var completed = await PostCompleteAsync(client, uploadId, partIds, expected);

        var fileId = (await completed.ShouldSucceedAsync()).GetProperty("file").Id();
        Assert.Equal(expected, Assert.Single(completed.Headers.GetValues(ChecksumHeaders.Crc32C)));
        await AssertFileAnswersChecksumAsync(client, fileId, expected);
        Assert.Equal(whole, await client.GetByteArrayAsync($"files/{fileId}/content", Token));
    }

    [Fact]
    public async Task A_zero_byte_upload_completed_with_no_parts_has_the_checksum_of_no_bytes()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(0)).Id();

        using var completed = await PostCompleteAsync(client, uploadId, [], "AAAAAA==");

        var fileId = (await completed.ShouldSucceedAsync()).GetProperty("file").Id();
        Assert.Equal("AAAAAA==", Assert.Single(completed.Headers.GetValues(ChecksumHeaders.Crc32C)));
        await AssertFileAnswersChecksumAsync(client, fileId, "AAAAAA==");
    }

    [Fact]
    public async Task A_complete_whose_checksum_does_not_match_the_parts_is_refused_and_the_upload_stays_pending()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = server.CreateClient();
        var (first, second) = (Api.RandomBytes(1000), Api.RandomBytes(2000));
        var uploadId = (await client.CreateUploadAsync(3000)).Id();
        var ids = new[] { await client.AddPartAsync(uploadId, first), await client.AddPartAsync(uploadId, second) };

        // The parts in the wrong order: the bytes are all there, the file would not be the client's.
        using var refused = await PostCompleteAsync(client, uploadId, [ids[1], ids[0]], Crc32C.ToHeaderValue(Crc32C.Compute([.. first, .. second])));
        var error = await refused.ShouldFailAsync(HttpStatusCode.BadRequest, null, "checksum_mismatch");
        Assert.Contains("still pending", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        var upload = await (await client.GetAsync($"uploads/{uploadId}", Token)).ShouldSucceedAsync();
        Assert.Equal("pending", upload.GetProperty("status").GetString());

        using var completed = await PostCompleteAsync(client, uploadId, ids, Crc32C.ToHeaderValue(Crc32C.Compute([.. first, .. second])));
        await completed.ShouldSucceedAsync();
    }

    [Fact]
    public async Task A_retried_complete_and_a_read_of_the_upload_answer_the_files_checksum()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = server.CreateClient();
        var data = Api.RandomBytes(777);
        var uploadId = (await client.CreateUploadAsync(data.Length)).Id();
        var partId = await client.AddPartAsync(uploadId, data);
        await client.CompleteAsync(uploadId, [partId]);

        using var retried = await client.PostCompleteAsync(uploadId, [partId]);
        using var read = await client.GetAsync($"uploads/{uploadId}", Token);

        await retried.ShouldSucceedAsync();
        await read.ShouldSucceedAsync();
        var expected = Crc32C.ToHeaderValue(Crc32C.Compute(data));
        Assert.Equal(expected, Assert.Single(retried.Headers.GetValues(ChecksumHeaders.Crc32C)));
        Assert.Equal(expected, Assert.Single(read.Headers.GetValues(ChecksumHeaders.Crc32C)));
    }

    [Fact]
    public async Task A_file_sent_whole_is_checked_against_its_header_and_answers_its_checksum()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = server.CreateClient();
        var data = Api.RandomBytes(123_457);
        var expected = Crc32C.ToHeaderValue(Crc32C.Compute(data));

        using var refused = await PostFileAsync(client, data, Crc32C.ToHeaderValue(Crc32C.Compute(data) ^ 1));
        using var created = await PostFileAsync(client, data, expected);

        await refused.ShouldFailAsync(HttpStatusCode.BadRequest, null, "checksum_mismatch");
        var fileId = (await created.ShouldSucceedAsync()).Id();
        Assert.Equal(expected, Assert.Single(created.Headers.GetValues(ChecksumHeaders.Crc32C)));
        await AssertFileAnswersChecksumAsync(client, fileId, expected);
        var files = await (await client.GetAsync("files", Token)).ShouldSucceedAsync();
        Assert.Equal(1, files.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Completing_with_the_whole_files_checksum_reads_no_byte_of_the_parts()
    {
        var reads = 0;
        await using var server = await TesseraTestServer.StartAsync(configureServices: services => services.WrapInFaults<IBlobStore>(blobs =>
            blobs.Fault = method =>
            {
                if (method == nameof(IBlobStore.OpenReadAsync))
                {
                    Interlocked.Increment(ref reads);
                }

                return null;
            }));
        using var client = server.CreateClient();
        var parts = Enumerable.Range(0, 4).Select(i => Api.RandomBytes(100_000 + i)).ToArray();
        var whole = parts.SelectMany(p => p).ToArray();
        var uploadId = (await client.CreateUploadAsync(whole.Length)).Id();
        var partIds = new List<string>();
        foreach (var part in parts)
        {
            partIds.Add(await client.AddPartAsync(uploadId, part));
        }

        await client.GetAsync($"uploads/{uploadId}/parts", Token);
        using var completed = await PostCompleteAsync(client, uploadId, partIds, Crc32C.ToHeaderValue(Crc32C.Compute(whole)));

        var fileId = (await completed.ShouldSucceedAsync()).GetProperty("file").Id();
        Assert.Equal(0, reads);
        // The count sees reads: the content is read from the parts' blobs.
        Assert.Equal(whole, await client.GetByteArrayAsync($"files/{fileId}/content", Token));
        Assert.True(reads >= parts.Length, $"reading the content opened {reads} blobs");
    }

    private static async Task AssertFileAnswersChecksumAsync(HttpClient client, string fileId, string expected)
    {
        using var file = await client.GetAsync($"files/{fileId}", Token);
        using var content = await client.GetAsync($"files/{fileId}/content", Token);
        using var range = new HttpRequestMessage(HttpMethod.Get, $"files/{fileId}/content");
        range.Headers.Range = new RangeHeaderValue(0, 0);
        using var partial = await client.SendAsync(range, Token);

        await file.ShouldSucceedAsync();
        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        Assert.Equal(expected, Assert.Single(file.Headers.GetValues(ChecksumHeaders.Crc32C)));
        Assert.Equal(expected, Assert.Single(content.Headers.GetValues(ChecksumHeaders.Crc32C)));
        if (content.Content.Headers.ContentLength > 0)
        {
            // The whole file's checksum, not the range's.
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal(expected, Assert.Single(partial.Headers.GetValues(ChecksumHeaders.Crc32C)));
        }
    }

    private static Task<HttpResponseMessage> PostPartAsync(HttpClient client, string uploadId, byte[] data, string crc32C)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"uploads/{uploadId}/parts") { Content = Api.PartForm(data) };
        request.Headers.TryAddWithoutValidation(ChecksumHeaders.Crc32C, crc32C);
        return client.SendAsync(request, Token);
    }

    private static Task<HttpResponseMessage> PostCompleteAsync(HttpClient client, string uploadId, IEnumerable<string> partIds, string crc32C)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"uploads/{uploadId}/complete") { Content = JsonContent.Create(new { part_ids = partIds.ToArray() }) };
        request.Headers.TryAddWithoutValidation(ChecksumHeaders.Crc32C, crc32C);
        return client.SendAsync(request, Token);
    }

    private static Task<HttpResponseMessage> PostFileAsync(HttpClient client, byte[] data, string crc32C)
    {
        var form = Api.PartForm(data, "file");
        form.Add(new StringContent("assistants"), "purpose");
        var request = new HttpRequestMessage(HttpMethod.Post, "files") { Content = form };
        request.Headers.TryAddWithoutValidation(ChecksumHeaders.Crc32C, crc32C);
        return client.SendAsync(request, Token);
    }
}
