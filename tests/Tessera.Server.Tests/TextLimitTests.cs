using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// A file name, a MIME type and a purpose are bounded in UTF-8 bytes wherever they enter, and a refusal quotes no more
/// of a long value than a line.
/// </summary>
public sealed class TextLimitTests(KeyedServer fixture) : IClassFixture<KeyedServer>
{
    private readonly TesseraTestServer _server = fixture.Server;

    [Fact]
    public async Task A_filename_of_1025_UTF8_bytes_is_refused_with_400_naming_the_limit_and_one_of_1024_is_kept()
    {
        using var client = _server.CreateClient();
        // 342 euro signs are 342 chars but 1,026 bytes: the limit counts bytes.
        using var refused = await client.PostAsJsonAsync("uploads", CreateBody(filename: new string('€', 342)));
        var error = await refused.ShouldFailAsync(HttpStatusCode.BadRequest, "filename", "string_above_max_length");
        Assert.Equal("Invalid 'filename': string too long. Expected at most 1024 bytes of UTF-8, but got 1026 bytes instead.", error.GetProperty("message").GetString());

        var longest = new string('€', 341) + "a";
        using var kept = await client.PostAsJsonAsync("uploads", CreateBody(filename: longest));
        Assert.Equal(longest, (await kept.ShouldSucceedAsync()).GetProperty("filename").GetString());
    }

    [Theory]
    [InlineData("mime_type", 256, "255")]
    [InlineData("purpose", 65, "64")]
    [InlineData("purpose", 1 << 20, "64")]
    public async Task A_mime_type_or_purpose_past_its_limit_is_refused_with_400_and_a_short_message(string field, int length, string limit)
    {
        using var client = _server.CreateClient();
        var value = new string('x', length);
        using var response = await client.PostAsJsonAsync("uploads",
            field == "purpose" ? CreateBody(purpose: value) : CreateBody(mimeType: value));

        var error = await response.ShouldFailAsync(HttpStatusCode.BadRequest, field, "string_above_max_length");
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains($"at most {limit} bytes", message, StringComparison.Ordinal);
        Assert.True(message.Length < 200, message);
    }

    [Fact]
    public async Task A_purpose_outside_the_list_is_quoted_cut_short_in_the_refusal()
    {
        using var client = _server.CreateClient();
        using var response = await client.GetAsync("files?purpose=" + new string('q', 6000));

        var error = await response.ShouldFailAsync(HttpStatusCode.BadRequest, "purpose");
        Assert.True(error.GetProperty("message").GetString()!.Length < 300, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Post_files_with_a_file_name_of_1025_bytes_is_refused_with_400_and_keeps_nothing()
    {
        using var client = _server.CreateClient();
        var blobsBefore = (await _server.StoredBlobKeysAsync()).ToHashSet();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("assistants"), "purpose" },
            { new ByteArrayContent([1, 2, 3]), "file", new string('n', 1025) },
        };

        using var response = await client.PostAsync("files", form);

        var error = await response.ShouldFailAsync(HttpStatusCode.BadRequest, "file", "string_above_max_length");
        Assert.Contains("file name too long. Expected at most 1024 bytes", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Subset(blobsBefore, (await _server.StoredBlobKeysAsync()).ToHashSet());
    }

    [Fact]
    public async Task Post_files_with_a_purpose_past_64_bytes_is_refused_with_400_naming_the_limit()
    {
        using var client = _server.CreateClient();
        using var form = new MultipartFormDataContent
        {
            { new StringContent(new string('p', 65)), "purpose" },
            { new ByteArrayContent([1, 2, 3]), "file", "x.txt" },
        };

        using var response = await client.PostAsync("files", form);

        var error = await response.ShouldFailAsync(HttpStatusCode.BadRequest, "purpose", "string_above_max_length");
        Assert.Contains("at most 64 bytes", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_name_with_a_quote_escaped_as_curl_escapes_it_is_stored_with_the_quote()
    {
        using var client = _server.CreateClient();
        const string boundary = "------------------------bebd16a5822b3cc4";
        var body = string.Join("\r\n",
            $"--{boundary}",
            "Content-Disposition: form-data; name=\"purpose\"",
            "",
            "assistants",
            $"--{boundary}",
            "Content-Disposition: form-data; name=\"file\"; filename=\"a\\\"b\"",
            "Content-Type: application/octet-stream",
            "",
            "hi",
            $"--{boundary}--",
            "");
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");

        var file = await (await client.PostAsync("files", content)).ShouldSucceedAsync();

        Assert.Equal("a\"b", file.GetProperty("filename").GetString());
        var listed = await (await client.GetAsync("files?limit=100")).ShouldSucceedAsync();
        Assert.Contains(listed.GetProperty("data").EnumerateArray(), f => f.Id() == file.Id() && f.GetProperty("filename").GetString() == "a\"b");
    }

    private static object CreateBody(string filename = "data.bin", string purpose = "assistants", string mimeType = "text/plain") =>
        new { filename, purpose, bytes = 1, mime_type = mimeType };
}
