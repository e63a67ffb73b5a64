#pragma warning disable OPENAI001 // The SDK's upload protocol methods are [Experimental] in 2.15.0.

using System.ClientModel;
using System.Text.Json;
using OpenAI.Files;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Sdk;

// Errors as the SDK surfaces them: a ClientResultException whose Status is the HTTP status and whose raw response
// is OpenAI's error envelope.
public sealed partial class DotnetSdkConformanceTests
{
    [Fact]
    public async Task An_unknown_file_id_throws_ClientResultException_404_with_OpenAI_s_message()
    {
        var client = FileClient();
        const string Unknown = "file-1111111111111111111111";

        var exception = await Assert.ThrowsAsync<ClientResultException>(() => client.GetFileAsync(Unknown));

        Assert.Equal(404, exception.Status);
        var error = ErrorOf(exception);
        Assert.Equal($"No such File object: {Unknown}", error.GetProperty("message").GetString());
        Assert.Equal("id", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task An_unknown_upload_id_throws_ClientResultException_404()
    {
        var client = FileClient();

        var exception = await Assert.ThrowsAsync<ClientResultException>(
            () => client.CancelUploadAsync("upload_00000000000000000000000000000000"));

        Assert.Equal(404, exception.Status);
        Assert.Equal("id", ErrorOf(exception).GetProperty("param").GetString());
    }

    [Fact]
    public async Task Another_project_s_file_is_a_404_to_the_SDK()
    {
        OpenAIFile file = await FileClient().UploadFileAsync(BinaryData.FromBytes([1]), "mine.txt", FileUploadPurpose.Assistants);

        var exception = await Assert.ThrowsAsync<ClientResultException>(
            () => FileClient(TesseraTestServer.KeyB).GetFileAsync(file.Id));

        Assert.Equal(404, exception.Status);
    }

    [Fact]
    public async Task An_oversized_part_throws_ClientResultException_400_naming_the_limit_and_the_upload_still_completes()
    {
        var client = FileClient();
        var uploadId = Json(await client.CreateUploadAsync(UploadBody("big.bin", "assistants", 3))).Id();
        using var oversized = PartBody(new byte[(64 << 20) + 1]);

        var exception = await Assert.ThrowsAsync<ClientResultException>(() => client.AddUploadPartAsync(uploadId, oversized, oversized.ContentType));

        Assert.Equal(400, exception.Status);
        var error = ErrorOf(exception);
        Assert.Equal("data", error.GetProperty("param").GetString());
        Assert.Contains("67108864 bytes (64 MiB)", error.GetProperty("message").GetString());
        var partId = await AddPartAsync(client, uploadId, [1, 2, 3]);
        var completed = Json(await client.CompleteUploadAsync(uploadId, JsonBody(new { part_ids = new[] { partId } })));
        Assert.Equal("completed", completed.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_wrong_key_on_a_large_file_throws_ClientResultException_401_not_a_connection_error()
    {
        var client = FileClient("sk-wrong-key-for-a-large-upload-7");

        var exception = await Assert.ThrowsAsync<ClientResultException>(
            () => client.UploadFileAsync(BinaryData.FromBytes(new byte[40 << 20]), "large.jsonl", FileUploadPurpose.Assistants));

        Assert.Equal(401, exception.Status);
        Assert.Equal("invalid_api_key", ErrorOf(exception).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_wrong_key_throws_ClientResultException_401_that_does_not_echo_the_key()
    {
        const string WrongKey = "sk-wrong-key-that-must-not-be-echoed-42";
        var client = FileClient(WrongKey);

        var exception = await Assert.ThrowsAsync<ClientResultException>(() => client.GetFilesAsync());

        Assert.Equal(401, exception.Status);
        Assert.Equal("invalid_api_key", ErrorOf(exception).GetProperty("code").GetString());
        Assert.DoesNotContain(WrongKey, exception.GetRawResponse()!.Content.ToString());
    }

    [Fact]
    public async Task The_SDK_s_project_header_is_accepted_for_the_key_s_own_project_and_refused_for_another()
    {
        var own = FileClient(configure: options =>
        {
            options.ProjectId = TesseraTestServer.ProjectA;
            options.OrganizationId = "org-ignored";
        });
        var other = FileClient(configure: options => options.ProjectId = TesseraTestServer.ProjectB);

        OpenAIFile file = await own.UploadFileAsync(BinaryData.FromBytes([1]), "project.txt", FileUploadPurpose.Assistants);
        var exception = await Assert.ThrowsAsync<ClientResultException>(() => other.GetFileAsync(file.Id));

        Assert.Equal(file.Id, (await own.GetFileAsync(file.Id)).Value.Id);
        Assert.Equal(401, exception.Status);
    }

    [Fact]
    public async Task CompleteUpload_with_a_part_id_of_another_upload_throws_400_naming_part_ids_and_leaves_the_upload_pending()
    {
        var client = FileClient();
        var uploadId = Json(await client.CreateUploadAsync(UploadBody("a.bin", "assistants", 3))).Id();
        var otherUploadId = Json(await client.CreateUploadAsync(UploadBody("b.bin", "assistants", 3))).Id();
        var ownPart = await AddPartAsync(client, uploadId, [1, 2, 3]);
        var foreignPart = await AddPartAsync(client, otherUploadId, [1, 2, 3]);

        var exception = await Assert.ThrowsAsync<ClientResultException>(
            () => client.CompleteUploadAsync(uploadId, JsonBody(new { part_ids = new[] { foreignPart } })));

        Assert.Equal(400, exception.Status);
        Assert.Equal("part_ids", ErrorOf(exception).GetProperty("param").GetString());
        var completed = Json(await client.CompleteUploadAsync(uploadId, JsonBody(new { part_ids = new[] { ownPart } })));
        Assert.Equal("completed", completed.GetProperty("status").GetString());
    }

    [Fact]
    public async Task CompleteUpload_with_unknown_or_repeated_part_ids_throws_400_naming_part_ids()
    {
        var client = FileClient();
        var uploadId = Json(await client.CreateUploadAsync(UploadBody("c.bin", "assistants", 2))).Id();
        var partId = await AddPartAsync(client, uploadId, [1]);

        foreach (var partIds in new[] { new[] { "part_00000000000000000000000000000000" }, new[] { partId, partId } })
        {
            var exception = await Assert.ThrowsAsync<ClientResultException>(
                () => client.CompleteUploadAsync(uploadId, JsonBody(new { part_ids = partIds })));
            Assert.Equal(400, exception.Status);
            Assert.Equal("part_ids", ErrorOf(exception).GetProperty("param").GetString());
        }
    }

    /// <summary>The <c>error</c> object of the envelope the exception's response carries.</summary>
    private static JsonElement ErrorOf(ClientResultException exception) =>
        JsonDocument.Parse(exception.GetRawResponse()!.Content).RootElement.GetProperty("error").Clone();
}
