using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>Bad input gets a clear 400, never a 500 or a hang, and never changes what is stored.</summary>
public sealed class BadInputTests(KeyedServer fixture) : IClassFixture<KeyedServer>
{
    private readonly TesseraTestServer _server = fixture.Server;

    public static TheoryData<string, string?> BadCreateBodies => new()
    {
        { "{\"filename\": \"a\", ", null },
        { "not json at all", null },
        { "[1, 2, 3]", null },
        { "{\"filename\": \"a\", \"purpose\": \"batch\", \"bytes\": 1, \"mime_type\": \"x\", \"foo\": 1}", "foo" },
        { "{\"filename\": 5, \"purpose\": \"batch\", \"bytes\": 1, \"mime_type\": \"x\"}", "filename" },
        { "{\"filename\": \"\", \"purpose\": \"batch\", \"bytes\": 1, \"mime_type\": \"x\"}", "filename" },
        { "{\"filename\": \"a\", \"purpose\": [\"batch\"], \"bytes\": 1, \"mime_type\": \"x\"}", "purpose" },
        { "{\"filename\": \"a\", \"purpose\": \"batch\", \"bytes\": \"12\", \"mime_type\": \"x\"}", "bytes" },
        { "{\"filename\": \"a\", \"purpose\": \"batch\", \"bytes\": \"abc\", \"mime_type\": \"x\"}", "bytes" },
        { "{\"filename\": \"a\", \"purpose\": \"batch\", \"bytes\": 1.5, \"mime_type\": \"x\"}", "bytes" },
        { "{\"filename\": \"a\", \"purpose\": \"batch\", \"bytes\": -1, \"mime_type\": \"x\"}", "bytes" },
        { "{\"filename\": \"a\", \"purpose\": \"batch\", \"bytes\": 99999999999999999999999, \"mime_type\": \"x\"}", "bytes" },
        { "{\"filename\": \"a\", \"purpose\": \"batch\", \"bytes\": 1e400, \"mime_type\": \"x\"}", "bytes" },
        { "{\"filename\": \"a\", \"purpose\": \"batch\", \"mime_type\": \"x\"}", "bytes" },
        { "{\"filename\": \"a\", \"purpose\": \"batch\", \"bytes\": 1}", "mime_type" },
        { "{\"filename\": \"a\", \"purpose\": \"batch\", \"bytes\": 1, \"mime_type\": \"\"}", "mime_type" },
        { "{\"filename\": \"a\", \"purpose\": \"batch\", \"bytes\": 1, \"mime_type\": \"x\", \"expires_after\": 5}", "expires_after" },
        { "{\"filename\": \"a\", \"purpose\": \"batch\", \"bytes\": 1, \"mime_type\": \"x\", \"expires_after\": {\"anchor\": \"now\", \"seconds\": 3600}}", "expires_after.anchor" },
        { "{\"filename\": \"a\", \"purpose\": \"batch\", \"bytes\": 1, \"mime_type\": \"x\", \"expires_after\": {\"anchor\": \"created_at\", \"seconds\": 60}}", "expires_after.seconds" },
        { "{\"filename\": \"a\", \"purpose\": \"batch\", \"bytes\": 1, \"mime_type\": \"x\", \"expires_after\": {\"anchor\": \"created_at\"}}", "expires_after.seconds" },
        { "{\"filename\": \"a\", \"filename\": \"b\", \"purpose\": \"batch\", \"bytes\": 1, \"mime_type\": \"x\"}", null },
    };

    public static TheoryData<string, string?> BadCompleteBodies => new()
    {
        { "", null },
        { "{", null },
        { "{}", "part_ids" },
        { "{\"part_ids\": \"part_1\"}", "part_ids" },
        { "{\"part_ids\": [1]}", "part_ids" },
        { "{\"part_ids\": [], \"md5\": 5}", "md5" },
        { "{\"part_ids\": [], \"md5\": \"not-an-md5\"}", "md5" },
        { "{\"part_ids\": [], \"extra\": true}", "extra" },
    };

    [Theory]
    [MemberData(nameof(BadCreateBodies))]
    public async Task A_bad_create_body_is_refused_with_400_naming_the_field(string body, string? param)
    {
        using var client = _server.CreateClient();
        using var response = await client.PostAsync("uploads", new StringContent(body, Encoding.UTF8, "application/json"));
        var error = await response.ShouldFailAsync(HttpStatusCode.BadRequest, param);
        // Said in the API's words (integer, string), never in .NET's (System.Int64).
        Assert.DoesNotContain("System.", error.GetProperty("message").GetString());
        if (param == "foo")
        {
            Assert.Equal("Additional properties are not allowed ('foo' was unexpected)", error.GetProperty("message").GetString());
        }
    }

    [Theory]
    [MemberData(nameof(BadCompleteBodies))]
    public async Task A_bad_complete_body_is_refused_with_400_and_leaves_the_upload_pending(string body, string? param)
    {
        using var client = _server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(0)).Id();
        using var response = await client.PostAsync($"uploads/{uploadId}/complete", new StringContent(body, Encoding.UTF8, "application/json"));
        await response.ShouldFailAsync(HttpStatusCode.BadRequest, param);
        var upload = await (await client.GetAsync($"uploads/{uploadId}")).ShouldSucceedAsync();
        Assert.Equal("pending", upload.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("a value")]
    [InlineData("a property name")]
    public async Task A_create_body_that_is_not_valid_UTF8_is_refused_with_400(string where)
    {
        using var client = _server.CreateClient();
        var json = where == "a value"
            ? "{\"filename\": \"a\xFF.txt\", \"purpose\": \"batch\", \"bytes\": 1, \"mime_type\": \"x\"}"
            : "{\"filename\": \"a.txt\", \"purpose\": \"batch\", \"bytes\": 1, \"mime_type\": \"x\", \"\xC3\": 1}";
        using var response = await client.PostAsync("uploads", Latin1Json(json));
        var error = await response.ShouldFailAsync(HttpStatusCode.BadRequest, param: null);
        Assert.Contains("UTF-8", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_complete_body_that_is_not_valid_UTF8_is_refused_with_400_and_leaves_the_upload_pending()
    {
        using var client = _server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(1)).Id();
        var partId = await client.AddPartAsync(uploadId, [9]);
        using var response = await client.PostAsync($"uploads/{uploadId}/complete", Latin1Json($"{{\"part_ids\": [\"{partId}\"], \"md5\": \"\xFE\"}}"));
        await response.ShouldFailAsync(HttpStatusCode.BadRequest, param: null);
        var upload = await (await client.GetAsync($"uploads/{uploadId}")).ShouldSucceedAsync();
        Assert.Equal("pending", upload.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_form_text_field_that_is_not_valid_UTF8_is_refused_with_400_naming_it_and_nothing_is_kept()
    {
        using var client = _server.CreateClient();
        var blobsBefore = (await _server.StoredBlobKeysAsync()).ToHashSet();
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent([0x61, 0x73, 0x73, 0xFF]), "purpose" },
            { new ByteArrayContent(Api.RandomBytes(1000)), "file", "a.txt" },
        };
        using var response = await client.PostAsync("files", form);
        var error = await response.ShouldFailAsync(HttpStatusCode.BadRequest, "purpose");
        Assert.Contains("UTF-8", error.GetProperty("message").GetString());
        Assert.Subset(blobsBefore, (await _server.StoredBlobKeysAsync()).ToHashSet());
        Assert.Empty(_server.TemporaryFiles());
    }

    [Fact]
    public async Task A_JSON_body_whose_length_is_over_the_limit_is_refused_with_400_before_it_is_read()
    {
        using var client = _server.CreateClient();
        using var response = await client.PostAsync("uploads", new ByteArrayContent(new byte[40 << 20]) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } });
        var error = await response.ShouldFailAsync(HttpStatusCode.BadRequest, param: null);
        Assert.Contains("larger than", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("unknown part", "part_ids")]
    [InlineData("listed twice", "part_ids")]
    public async Task Part_ids_that_name_no_part_or_one_twice_are_refused(string problem, string param)
    {
        using var client = _server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(2)).Id();
        var partId = await client.AddPartAsync(uploadId, [1]);
        string[] partIds = problem == "unknown part" ? [partId, "part_ffffffffffffffffffffffffffffffff"] : [partId, partId];
        using var response = await client.PostCompleteAsync(uploadId, partIds);
        await response.ShouldFailAsync(HttpStatusCode.BadRequest, param);
    }

    [Fact]
    public async Task Another_uploads_part_cannot_be_listed_in_part_ids()
    {
        using var client = _server.CreateClient();
        var other = (await client.CreateUploadAsync(1)).Id();
        var foreignPart = await client.AddPartAsync(other, [7]);
        var uploadId = (await client.CreateUploadAsync(1)).Id();
        using var response = await client.PostCompleteAsync(uploadId, [foreignPart]);
        await response.ShouldFailAsync(HttpStatusCode.BadRequest, "part_ids");
    }

    [Fact]
    public async Task A_part_without_a_data_field_is_refused()
    {
        using var client = _server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(3)).Id();
        using var form = Api.PartForm([1, 2, 3], field: "file");
        using var response = await client.PostAsync($"uploads/{uploadId}/parts", form);
        await response.ShouldFailAsync(HttpStatusCode.BadRequest, "data");
        await AssertNoPartsAsync(client, uploadId);
    }

    [Fact]
    public async Task A_part_with_two_data_fields_is_refused_and_neither_is_kept()
    {
        using var client = _server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(3)).Id();
        using var form = Api.PartForm([1, 2, 3]);
        form.Add(new ByteArrayContent([4, 5, 6]), "data", "second");
        using var response = await client.PostAsync($"uploads/{uploadId}/parts", form);
        await response.ShouldFailAsync(HttpStatusCode.BadRequest, "data");
        await AssertNoPartsAsync(client, uploadId);
    }

    [Fact]
    public async Task An_empty_part_is_refused()
    {
        using var client = _server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(3)).Id();
        using var response = await client.PostPartAsync(uploadId, []);
        await response.ShouldFailAsync(HttpStatusCode.BadRequest, "data");
        await AssertNoPartsAsync(client, uploadId);
    }

    [Theory]
    [InlineData("application/json", "{\"data\": \"AAAA\"}")]
    [InlineData("application/octet-stream", "raw bytes")]
    [InlineData("multipart/form-data", "no boundary given")]
    public async Task A_part_body_that_is_not_multipart_is_refused(string contentType, string body)
    {
        using var client = _server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(3)).Id();
        using var content = new StringContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await client.PostAsync($"uploads/{uploadId}/parts", content);
        await response.ShouldFailAsync(HttpStatusCode.BadRequest, param: null);
        await AssertNoPartsAsync(client, uploadId);
    }

    [Fact]
    public async Task A_truncated_multipart_body_is_refused_and_nothing_is_kept()
    {
        using var client = _server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(300_000)).Id();
        var body = new MemoryStream();
        body.Write(Encoding.ASCII.GetBytes("--XyZ\r\nContent-Disposition: form-data; name=\"data\"; filename=\"x\"\r\n\r\n"));
        body.Write(Api.RandomBytes(300_000));
        // No closing boundary.
        using var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=XyZ");
        using var response = await client.PostAsync($"uploads/{uploadId}/parts", content);
        await response.ShouldFailAsync(HttpStatusCode.BadRequest, param: null);
        await AssertNoPartsAsync(client, uploadId);
        Assert.Empty(_server.TemporaryFiles());
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_part_leaves_no_partial_part_on_disk_or_in_the_database()
    {
        using var client = _server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(10 << 20)).Id();
        var blobsBefore = (await _server.StoredBlobKeysAsync()).ToHashSet();

        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(_server.Root.Host, _server.Root.Port);
            var head = "--B\r\nContent-Disposition: form-data; name=\"data\"; filename=\"x\"\r\n\r\n";
            var request =
                $"POST /v1/uploads/{uploadId}/parts HTTP/1.1\r\nHost: {_server.Root.Authority}\r\nAuthorization: Bearer {TesseraTestServer.KeyA}\r\n" +
                $"Content-Type: multipart/form-data; boundary=B\r\nContent-Length: {(10 << 20) + head.Length + 10}\r\n\r\n{head}";
            await socket.SendAsync(Encoding.ASCII.GetBytes(request));
            await socket.SendAsync(Api.RandomBytes(3 << 20));
            await Task.Delay(200);
        }

        await Eventually.HoldsAsync(() => _server.TemporaryFiles().Count == 0, "no temporary file is left");
        Assert.Subset(blobsBefore, (await _server.StoredBlobKeysAsync()).ToHashSet());
        await AssertNoPartsAsync(client, uploadId);
    }

    [Fact]
    public async Task A_part_over_the_size_limit_is_refused_as_soon_as_it_crosses_it_not_after_it_all_arrives()
    {
        await using var server = await TesseraTestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Tessera:Limits:MaxPartBytes"] = "1048576",
            ["Tessera:Limits:MaxDrainBytes"] = "1048576",
        });
        using var client = server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(1 << 20)).Id();

        // A chunked body that passes the limit and then never ends: the server stops storing it at the limit, drains
        // MaxDrainBytes more so that a client still sending reads the answer, and then answers without its end.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.Root.Host, server.Root.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"POST /v1/uploads/{uploadId}/parts HTTP/1.1\r\nHost: {server.Root.Authority}\r\nAuthorization: Bearer {TesseraTestServer.KeyA}\r\n" +
            "Content-Type: multipart/form-data; boundary=B\r\nTransfer-Encoding: chunked\r\n\r\n"));
        await RawHttp.SendChunkAsync(socket, Encoding.ASCII.GetBytes("--B\r\nContent-Disposition: form-data; name=\"data\"; filename=\"x\"\r\n\r\n"));

        // Listen before sending: the answer may come, and the server close the connection, while chunks are still
        // going out, and a send to a closed connection fails (and would reset it, losing an answer not yet read).
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var receive = RawHttp.ReceiveUntilClosedAsync(socket, timeout.Token);
        try
        {
            for (var i = 0; i < 24 && !receive.IsCompleted; i++)
            {
                await RawHttp.SendChunkAsync(socket, Api.RandomBytes(128 * 1024));
            }
        }
        catch (SocketException)
        {
            // The server stopped reading, which is what this test is about.
        }

        var text = await receive;
        Assert.StartsWith("HTTP/1.1 400 ", text);
        Assert.Contains("\"param\":\"data\"", text);
        Assert.Contains("1048576", text);

        await Eventually.HoldsAsync(() => server.TemporaryFiles().Count == 0, "no temporary file is left");
        Assert.Empty(await server.StoredBlobKeysAsync());
    }

    [Theory]
    [InlineData("../../../etc/passwd")]
    [InlineData("nul\0byte.txt")]
    [InlineData("long")]
    [InlineData("ünïcödé 文件 🚀.jsonl")]
    public async Task A_filename_is_stored_and_echoed_verbatim_and_never_becomes_a_path(string filename)
    {
        if (filename == "long")
        {
            // The longest name kept: 1,024 bytes of UTF-8.
            filename = new string('x', 1024);
        }

        using var client = _server.CreateClient();
        var file = await client.UploadFileAsync([1, 2], filename: filename);
        Assert.Equal(filename, file.GetProperty("filename").GetString());
        var again = await (await client.GetAsync($"files/{file.Id()}")).ShouldSucceedAsync();
        Assert.Equal(filename, again.GetProperty("filename").GetString());

        var onDisk = Directory.GetFileSystemEntries(_server.DataPath, "*", SearchOption.AllDirectories).Select(Path.GetFileName);
        Assert.DoesNotContain(onDisk, name => name!.Contains("passwd", StringComparison.Ordinal) || name.Contains("xxxxxxxx", StringComparison.Ordinal) || name.Contains("jsonl", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_requests_leave_stored_files_and_parts_exactly_as_they_were()
    {
        using var client = _server.CreateClient();
        var content = Api.RandomBytes(5000);
        var file = await client.UploadFileAsync(content);
        var uploadId = (await client.CreateUploadAsync(10)).Id();
        var partId = await client.AddPartAsync(uploadId, Api.RandomBytes(4));

        await client.PostAsync($"uploads/{uploadId}/complete", new StringContent("{\"part_ids\": [", Encoding.UTF8, "application/json"));
        await client.PostAsync($"uploads/{uploadId}/parts", new StringContent("nope"));
        await client.PostAsync($"uploads/{uploadId}/complete", JsonContent.Create(new { part_ids = new[] { partId } }));
        await client.PostAsync($"files/{file.Id()}/content", null);
        await client.DeleteAsync($"files/{file.Id()}x");

        Assert.Equal(content, await client.GetByteArrayAsync($"files/{file.Id()}/content"));
        var parts = (await (await client.GetAsync($"uploads/{uploadId}/parts")).ShouldSucceedAsync()).GetProperty("data");
        Assert.Equal(partId, Assert.Single(parts.EnumerateArray()).Id());
        Assert.Equal("pending", (await (await client.GetAsync($"uploads/{uploadId}")).ShouldSucceedAsync()).GetProperty("status").GetString());
    }

    /// <summary>JSON text with raw bytes: each char of <paramref name="text"/> is sent as the one byte of its code, so \xFF stays a lone 0xFF.</summary>
    private static ByteArrayContent Latin1Json(string text) =>
        new(Encoding.Latin1.GetBytes(text)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };

    private static async Task AssertNoPartsAsync(HttpClient client, string uploadId)
    {
        var parts = await (await client.GetAsync($"uploads/{uploadId}/parts")).ShouldSucceedAsync();
        Assert.Equal(JsonValueKind.Array, parts.GetProperty("data").ValueKind);
        Assert.Equal(0, parts.GetProperty("data").GetArrayLength());
    }
}
