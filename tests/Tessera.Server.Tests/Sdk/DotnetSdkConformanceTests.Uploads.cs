#pragma warning disable OPENAI001 // The SDK's upload protocol methods are [Experimental] in 2.15.0.

using System.ClientModel;
using System.Text.Json;
using OpenAI.Files;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Sdk;

// The Uploads API through the SDK's protocol methods (CreateUpload, AddUploadPart, CompleteUpload, CancelUpload),
// called as openai-dotnet's tests/Files/Files.UploadsTests.cs calls them.
public sealed partial class DotnetSdkConformanceTests
{
    [Fact]
    public async Task CreateUpload_answers_a_pending_upload_that_expires_an_hour_later_without_a_file()
    {
        var client = FileClient();

        var upload = Json(await client.CreateUploadAsync(UploadBody("uploads_test_file.jsonl", "fine-tune", 8)));

        Assert.Matches("^upload_[0-9a-f]{32}$", upload.Id());
        Assert.Equal("upload", upload.GetProperty("object").GetString());
        Assert.Equal("pending", upload.GetProperty("status").GetString());
        Assert.Equal(8, upload.GetProperty("bytes").GetInt64());
        Assert.Equal("uploads_test_file.jsonl", upload.GetProperty("filename").GetString());
        Assert.Equal("fine-tune", upload.GetProperty("purpose").GetString());
        Assert.Equal(upload.GetProperty("created_at").GetInt64() + 3600, upload.GetProperty("expires_at").GetInt64());
        Assert.False(upload.TryGetProperty("file", out _));
    }

    [Fact]
    public async Task AddUploadPart_with_the_SDK_s_quoted_boundary_answers_an_upload_part_of_that_upload()
    {
        var client = FileClient();
        var upload = Json(await client.CreateUploadAsync(UploadBody("parts.bin", "assistants", 4)));
        using var body = PartBody([1, 2, 3, 4]);

        var part = Json(await client.AddUploadPartAsync(upload.Id(), body, body.ContentType));

        Assert.StartsWith("multipart/form-data; boundary=\"", body.ContentType);
        Assert.Matches("^part_[0-9a-f]{32}$", part.Id());
        Assert.Equal("upload.part", part.GetProperty("object").GetString());
        Assert.Equal(upload.Id(), part.GetProperty("upload_id").GetString());
        Assert.True(part.GetProperty("created_at").GetInt64() >= upload.GetProperty("created_at").GetInt64());
    }

    [Fact]
    public async Task CompleteUpload_with_part_ids_and_md5_answers_a_completed_upload_whose_nested_file_the_SDK_can_fetch_and_download()
    {
        var client = FileClient();
        byte[] first = Api.RandomBytes(5000), second = Api.RandomBytes(3000);
        var whole = first.Concat(second).ToArray();
        var created = Json(await client.CreateUploadAsync(UploadBody("train.jsonl", "fine-tune", whole.Length)));
        var firstId = await AddPartAsync(client, created.Id(), first);
        var secondId = await AddPartAsync(client, created.Id(), second);

        var completed = Json(await client.CompleteUploadAsync(created.Id(),
            JsonBody(new { part_ids = new[] { firstId, secondId }, md5 = Api.Md5Hex(whole) })));

        Assert.Equal(created.Id(), completed.Id());
        Assert.Equal("upload", completed.GetProperty("object").GetString());
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal(created.GetProperty("created_at").GetInt64(), completed.GetProperty("created_at").GetInt64());
        Assert.Equal(created.GetProperty("expires_at").GetInt64(), completed.GetProperty("expires_at").GetInt64());
        var file = completed.GetProperty("file");
        Assert.Matches(FileIdPattern, file.Id());
        Assert.Equal("file", file.GetProperty("object").GetString());
        Assert.Equal(whole.Length, file.GetProperty("bytes").GetInt64());
        Assert.Equal("train.jsonl", file.GetProperty("filename").GetString());
        Assert.Equal("fine-tune", file.GetProperty("purpose").GetString());
        Assert.Equal(created.GetProperty("created_at").GetInt64(), file.GetProperty("created_at").GetInt64());
        Assert.Equal("processed", file.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, file.GetProperty("status_details").ValueKind);

        OpenAIFile fetched = await client.GetFileAsync(file.Id());
        Assert.Equal(FilePurpose.FineTune, fetched.Purpose);
        Assert.Equal(whole.Length, fetched.SizeInBytes);
        Assert.Equal(whole, (await client.DownloadFileAsync(file.Id())).Value.ToArray());
    }

    [Fact]
    public async Task CancelUpload_answers_a_cancelled_upload_after_which_the_SDK_can_neither_add_a_part_nor_complete()
    {
        var client = FileClient();
        var created = Json(await client.CreateUploadAsync(UploadBody("never.bin", "batch", 4)));
        var partId = await AddPartAsync(client, created.Id(), [1, 2, 3, 4]);

        var cancelled = Json(await client.CancelUploadAsync(created.Id()));

        Assert.Equal(created.Id(), cancelled.Id());
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal(created.GetProperty("expires_at").GetInt64(), cancelled.GetProperty("expires_at").GetInt64());
        Assert.False(cancelled.TryGetProperty("file", out _));
        using var body = PartBody([5]);
        Assert.Equal(400, (await Assert.ThrowsAsync<ClientResultException>(
            () => client.AddUploadPartAsync(created.Id(), body, body.ContentType))).Status);
        Assert.Equal(400, (await Assert.ThrowsAsync<ClientResultException>(
            () => client.CompleteUploadAsync(created.Id(), JsonBody(new { part_ids = new[] { partId } })))).Status);
    }

    /// <summary>Creates an upload of <paramref name="data"/> in one part through the SDK and completes it; returns the completed Upload.</summary>
    private static async Task<JsonElement> UploadThroughUploadsApiAsync(OpenAIFileClient client, byte[] data, string purpose)
    {
        var uploadId = Json(await client.CreateUploadAsync(UploadBody($"{purpose}-upload.jsonl", purpose, data.Length))).Id();
        var partId = await AddPartAsync(client, uploadId, data);
        return Json(await client.CompleteUploadAsync(uploadId, JsonBody(new { part_ids = new[] { partId } })));
    }

    private static async Task<string> AddPartAsync(OpenAIFileClient client, string uploadId, byte[] data)
    {
        using var body = PartBody(data);
        return Json(await client.AddUploadPartAsync(uploadId, body, body.ContentType)).Id();
    }

    private static BinaryContent UploadBody(string filename, string purpose, long bytes) =>
        JsonBody(new { purpose, filename, bytes, mime_type = "text/jsonl" });

    private static BinaryContent JsonBody(object body) => BinaryContent.Create(BinaryData.FromObjectAsJson(body));

    /// <summary>A part as openai-dotnet's tests send it: <c>content.Add(bytes, "data", "data", "application/octet-stream")</c>.</summary>
    private static SdkStyleMultipartContent PartBody(byte[] data)
    {
        var body = new SdkStyleMultipartContent();
        body.AddFile(data, "data", "data", "application/octet-stream");
        return body;
    }
}
