using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tessera.Cli.Tests.Infrastructure;
using Tessera.Contracts;

namespace Tessera.Cli.Tests;

/// <summary>The OpenAI CLI's uploads and files commands, run as a real process against a real keyed server.</summary>
public sealed class CommandTests : IAsyncLifetime
{
    private TesseraTestServer _server = null!;
    private TesseraCli _tessera = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await TesseraTestServer.StartAsync();
        _tessera = new TesseraCli(_server.BaseAddress);
    }

    public async ValueTask DisposeAsync()
    {
        _tessera.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Create_parts_from_a_path_and_from_stdin_complete_with_md5_and_content_give_back_the_bytes()
    {
        var first = Encoding.UTF8.GetBytes("hello ");
        var second = Encoding.UTF8.GetBytes("world");
        var path = Path.Combine(_tessera.DataHome, "part1.bin");
        await File.WriteAllBytesAsync(path, first, TestContext.Current.CancellationToken);

        var upload = await JsonOfAsync("uploads", "create", "--bytes", "11", "--filename", "hello.txt", "--mime-type", "text/plain", "--purpose", "assistants");
        Assert.Equal("pending", upload.GetProperty("status").GetString());
        var uploadId = upload.GetProperty("id").GetString()!;

        var part1 = await JsonOfAsync("uploads:parts", "create", "--upload-id", uploadId, "--data", path);
        var fromStdin = await _tessera.RunAsync(["uploads:parts", "create", uploadId, "--data", "-"], second);
        Assert.True(fromStdin.ExitCode == 0, fromStdin.ToString());
        var part2 = JsonDocument.Parse(fromStdin.StandardOutput).RootElement;
        Assert.Equal(uploadId, part2.GetProperty("upload_id").GetString());

        var md5 = Convert.ToHexStringLower(MD5.HashData([.. first, .. second]));
        var completed = await JsonOfAsync("uploads", "complete", uploadId,
            "--part-id", part1.GetProperty("id").GetString()!, "--part-id", part2.GetProperty("id").GetString()!, "--md5", md5);
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        var fileId = completed.GetProperty("file").GetProperty("id").GetString()!;

        var content = await _tessera.RunAsync("files", "content", "--file-id", fileId);
        Assert.True(content.ExitCode == 0, content.ToString());
        Assert.Equal("hello world", content.StandardOutput);
    }

    [Fact]
    public async Task Complete_with_a_wrong_md5_prints_the_400_naming_md5_and_exits_1()
    {
        var uploadId = (await JsonOfAsync("uploads", "create", "--bytes", "3", "--filename", "a", "--mime-type", "text/plain", "--purpose", "assistants")).GetProperty("id").GetString()!;
        var part = (await _tessera.RunAsync(["uploads:parts", "create", uploadId, "--data", "-"], "abc"u8.ToArray())).StandardOutput;
        var partId = JsonDocument.Parse(part).RootElement.GetProperty("id").GetString()!;

        var run = await _tessera.RunAsync("uploads", "complete", uploadId, "--part-id", partId, "--md5", new string('0', 32));

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"POST \"{_server.BaseAddress}uploads/{uploadId}/complete\": 400 Bad Request", run.StandardError);
        Assert.Contains("\"param\": \"md5\"", run.StandardError);
    }

    [Fact]
    public async Task Cancel_retrieve_and_parts_list_take_the_upload_id_as_flag_or_first_argument()
    {
        var uploadId = (await JsonOfAsync("uploads", "create", "--bytes", "10", "--filename", "a", "--mime-type", "text/plain", "--purpose", "batch", "--expires-after.anchor", "created_at", "--expires-after.seconds", "7200")).GetProperty("id").GetString()!;
        await _tessera.RunAsync(["uploads:parts", "create", uploadId, "--data", "-"], "12345"u8.ToArray());

        var parts = await _tessera.RunAsync("uploads:parts", "list", uploadId, "--format", "jsonl");
        var part = JsonDocument.Parse(parts.StandardOutput.Trim()).RootElement;
        Assert.Equal(5, part.GetProperty("bytes").GetInt64());
        Assert.Equal(Crc32C.ToHeaderValue(Crc32C.Compute("12345"u8)), part.GetProperty("crc32c").GetString());

        Assert.Equal("pending", (await JsonOfAsync("uploads", "retrieve", "--upload-id", uploadId)).GetProperty("status").GetString());
        Assert.Equal("cancelled", (await JsonOfAsync("uploads", "cancel", uploadId)).GetProperty("status").GetString());
        Assert.Equal("cancelled", (await JsonOfAsync("uploads", "retrieve", uploadId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Files_create_retrieve_list_pages_and_delete()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var path = Path.Combine(_tessera.DataHome, $"f{i}.jsonl");
            await File.WriteAllTextAsync(path, $"{{\"n\":{i}}}\n", TestContext.Current.CancellationToken);
            var file = await JsonOfAsync("files", "create", "--file", path, "--purpose", "user_data");
            Assert.Equal($"f{i}.jsonl", file.GetProperty("filename").GetString());
            ids.Add(file.GetProperty("id").GetString()!);
        }

        Assert.Equal(ids[0], (await JsonOfAsync("files", "retrieve", ids[0])).GetProperty("id").GetString());

        // One file per page: the CLI follows has_more to the end, one line per file.
        var all = await _tessera.RunAsync("files", "list", "--limit", "1", "--purpose", "user_data", "--order", "asc", "--format", "jsonl");
        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Equal(ids, Lines(all.StandardOutput).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("id").GetString()));

        var two = await _tessera.RunAsync("files", "list", "--limit", "1", "--purpose", "user_data", "--max-items", "2", "--format", "jsonl");
        Assert.Equal(2, Lines(two.StandardOutput).Length);

        var deleted = await JsonOfAsync("files", "delete", "--file-id", ids[1]);
        Assert.True(deleted.GetProperty("deleted").GetBoolean());
        var gone = await _tessera.RunAsync("files", "retrieve", ids[1]);
        Assert.Equal(1, gone.ExitCode);
        Assert.StartsWith($"GET \"{_server.BaseAddress}files/{ids[1]}\": 404 Not Found", gone.StandardError);
    }

    [Fact]
    public async Task Uploads_list_prints_the_pending_uploads_with_their_received_bytes_page_after_page()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await JsonOfAsync("uploads", "create", "--bytes", "10", "--filename", $"u{i}.bin", "--mime-type", "text/plain", "--purpose", "user_data")).GetProperty("id").GetString()!);
        }

        await _tessera.RunAsync(["uploads:parts", "create", ids[1], "--data", "-"], "12345"u8.ToArray());
        await JsonOfAsync("uploads", "cancel", ids[2]);

        // One upload per page: the CLI follows has_more to the end, one line per upload.
        var all = await _tessera.RunAsync("uploads", "list", "--limit", "1", "--order", "asc", "--format", "jsonl");
        Assert.True(all.ExitCode == 0, all.ToString());
        var listed = Lines(all.StandardOutput).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(ids[..2], listed.Select(u => u.GetProperty("id").GetString()));
        Assert.Equal([0L, 5L], listed.Select(u => u.GetProperty("received_bytes").GetInt64()));

        var newest = await _tessera.RunAsync("uploads", "list", "--max-items", "1", "--format", "jsonl");
        Assert.Equal([ids[1]], Lines(newest.StandardOutput).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("id").GetString()));
        var rest = await _tessera.RunAsync("uploads", "list", "--order", "asc", "--after", ids[0], "--format", "jsonl");
        Assert.Equal([ids[1]], Lines(rest.StandardOutput).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("id").GetString()));

        var refused = await _tessera.RunAsync("uploads", "list", "--order", "sideways");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("\"param\": \"order\"", refused.StandardError);
    }

    [Fact]
    public async Task Files_content_with_output_writes_the_file()
    {
        var bytes = RandomNumberGenerator.GetBytes(300_000);
        var source = Path.Combine(_tessera.DataHome, "blob.bin");
        await File.WriteAllBytesAsync(source, bytes, TestContext.Current.CancellationToken);
        var fileId = (await JsonOfAsync("files", "create", "--file", source, "--purpose", "assistants")).GetProperty("id").GetString()!;
        var target = Path.Combine(_tessera.DataHome, "copy.bin");

        var run = await _tessera.RunAsync("files", "content", fileId, "-o", target);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Output_formats_print_the_same_object_as_json_jsonl_yaml_raw_and_pretty()
    {
        var uploadId = (await JsonOfAsync("uploads", "create", "--bytes", "1", "--filename", "f.txt", "--mime-type", "text/plain", "--purpose", "assistants")).GetProperty("id").GetString()!;

        var auto = (await _tessera.RunAsync("uploads", "retrieve", uploadId)).StandardOutput;
        var json = (await _tessera.RunAsync("uploads", "retrieve", uploadId, "--format", "json")).StandardOutput;
        Assert.Equal(auto, json);
        Assert.StartsWith("{\n  \"id\": ", json);

        var jsonl = (await _tessera.RunAsync("uploads", "retrieve", uploadId, "--format", "jsonl")).StandardOutput;
        Assert.Single(Lines(jsonl));
        Assert.Equal(uploadId, JsonDocument.Parse(jsonl).RootElement.GetProperty("id").GetString());

        var yaml = Lines((await _tessera.RunAsync("uploads", "retrieve", uploadId, "--format", "yaml")).StandardOutput);
        Assert.Contains($"id: {uploadId}", yaml);
        Assert.Contains("bytes: 1", yaml);
        Assert.Contains("status: pending", yaml);
        Assert.DoesNotContain(yaml, line => line.Contains('{', StringComparison.Ordinal));

        using var http = _server.CreateClient();
        var body = await http.GetStringAsync($"uploads/{uploadId}", TestContext.Current.CancellationToken);
        var raw = (await _tessera.RunAsync("uploads", "retrieve", uploadId, "--format", "raw")).StandardOutput;
        Assert.Equal(body, raw.TrimEnd('\n'));

        var pretty = (await _tessera.RunAsync("uploads", "retrieve", uploadId, "--format", "pretty")).StandardOutput;
        Assert.Contains("uploads retrieve", pretty);
        Assert.Contains($"\"id\": \"{uploadId}\"", pretty);
    }

    [Fact]
    public async Task A_list_in_yaml_is_a_stream_of_block_style_documents()
    {
        for (var i = 0; i < 2; i++)
        {
            await _tessera.RunAsync(["files", "create", "--file", "-", "--purpose", "evals"], "x"u8.ToArray());
        }

        var yaml = Lines((await _tessera.RunAsync("files", "list", "--purpose", "evals", "--format", "yaml")).StandardOutput);

        Assert.Single(yaml, line => line == "---");
        Assert.Equal(2, yaml.Count(line => line.StartsWith("id: file-", StringComparison.Ordinal)));
        Assert.Equal(2, yaml.Count(line => line == "purpose: evals"));
    }

    [Fact]
    public async Task Yaml_prints_a_json_null_as_null_and_quotes_a_string_that_reads_as_null()
    {
        var path = Path.Combine(_tessera.DataHome, "null");
        await File.WriteAllTextAsync(path, "x", TestContext.Current.CancellationToken);

        var run = await _tessera.RunAsync("files", "create", "--file", path, "--purpose", "evals", "--format", "yaml");

        Assert.True(run.ExitCode == 0, run.ToString());
        var yaml = Lines(run.StandardOutput);
        // A processed file has "status_details": null in JSON.
        Assert.Contains("status_details: null", yaml);
        Assert.Contains("filename: \"null\"", yaml);
        Assert.DoesNotContain(yaml, line => line.TrimEnd().EndsWith(':'));
    }

    [Fact]
    public async Task A_missing_required_flag_is_a_usage_error_that_exits_2_and_names_the_flag()
    {
        var run = await _tessera.RunAsync("uploads", "create", "--bytes", "10", "--filename", "a.txt", "--purpose", "assistants");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--mime-type", run.StandardError);
        Assert.Empty(run.StandardOutput);
    }

    [Fact]
    public async Task A_bad_format_is_a_usage_error_that_exits_2()
    {
        var run = await _tessera.RunAsync("files", "list", "--format", "xml");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--format", run.StandardError);
    }

    [Fact]
    public async Task Debug_prints_each_request_and_response_with_the_key_masked()
    {
        var run = await _tessera.RunAsync("files", "list", "--debug");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Request: GET {_server.BaseAddress}files", run.StandardError);
        Assert.Contains("Authorization: Bearer <redacted>", run.StandardError);
        Assert.Contains("Response: 200", run.StandardError);
        Assert.DoesNotContain(TesseraTestServer.KeyA, run.StandardError);
    }

    [Fact]
    public async Task The_user_agent_carries_the_version_that_version_prints()
    {
        var version = await _tessera.RunAsync("--version");
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+$", version.StandardOutput.Trim());

        var run = await _tessera.RunAsync("files", "list", "--debug");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"User-Agent: tessera-dotnet/{version.StandardOutput.Trim()}{Environment.NewLine}", run.StandardError);
    }

    [Fact]
    public async Task An_unknown_key_prints_the_401_and_exits_1()
    {
        using var stranger = new TesseraCli(_server.BaseAddress, apiKey: "sk-not-a-key-of-this-server");

        var run = await stranger.RunAsync("files", "list");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"GET \"{_server.BaseAddress}files\": 401 Unauthorized", run.StandardError);
        Assert.Contains("\"code\": \"invalid_api_key\"", run.StandardError);
    }

    private async Task<JsonElement> JsonOfAsync(params string[] args)
    {
        var run = await _tessera.RunAsync(args);
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonDocument.Parse(run.StandardOutput).RootElement.Clone();
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
