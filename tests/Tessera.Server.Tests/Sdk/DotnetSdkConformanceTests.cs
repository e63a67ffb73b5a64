// The official .NET SDK marks the upload protocol methods, OpenAIFile.ExpiresAt and OpenAIFile.SizeInBytesLong
// [Experimental] and OpenAIFile.Status [Obsolete] (2.15.0). Users call them all the same, so these tests do too.
#pragma warning disable OPENAI001
#pragma warning disable CS0618

using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Files;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Sdk;

/// <summary>
/// Conformance with the official <c>OpenAI</c> NuGet package: a real Tessera driven only through
/// <see cref="OpenAIFileClient"/>, configured as docs/api.md says users configure it (<c>http://host:port/v1</c>).
/// Typed methods for the Files API; the protocol methods (raw JSON) for the Uploads API, as the SDK offers no more.
/// </summary>
public sealed partial class DotnetSdkConformanceTests(KeyedServer fixture) : IClassFixture<KeyedServer>
{
    private const string FileIdPattern = "^file-[1-9A-HJ-NP-Za-km-z]{22}$";

    private readonly TesseraTestServer _server = fixture.Server;

    [Fact]
    public async Task UploadFile_from_a_stream_sends_a_quoted_multipart_boundary_and_answers_a_processed_file()
    {
        var recorder = new RequestRecorder();
        var client = FileClient(configure: options => options.AddPolicy(recorder, PipelinePosition.PerCall));
        var data = Api.RandomBytes(10_000);
        var before = WholeSecondsNow();

        using var stream = new MemoryStream(data);
        OpenAIFile file = await client.UploadFileAsync(stream, "train.jsonl", FileUploadPurpose.FineTune);

        // The .NET SDK, alone among the SDKs, sends boundary="..." quoted; the server must unquote it.
        var request = Assert.Single(recorder.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Matches("^multipart/form-data; boundary=\"[^\"]+\"$", request.ContentType);
        Assert.Matches(FileIdPattern, file.Id);
        Assert.Equal("train.jsonl", file.Filename);
        Assert.Equal(FilePurpose.FineTune, file.Purpose);
        Assert.Equal(FileStatus.Processed, file.Status);
        Assert.Null(file.StatusDetails);
        Assert.Equal(data.Length, file.SizeInBytes);
        Assert.Equal(data.Length, file.SizeInBytesLong);
        Assert.InRange(file.CreatedAt, before, _server.Clock.GetUtcNow());
        Assert.Null(file.ExpiresAt);
    }

    [Fact]
    public async Task UploadFile_from_BinaryData_then_GetFile_gives_back_the_same_file()
    {
        var client = FileClient();
        OpenAIFile uploaded = await client.UploadFileAsync(BinaryData.FromBytes(Api.RandomBytes(321)), "notes.txt", FileUploadPurpose.Assistants);

        OpenAIFile fetched = await client.GetFileAsync(uploaded.Id);

        Assert.Equal(uploaded.Id, fetched.Id);
        Assert.Equal("notes.txt", fetched.Filename);
        Assert.Equal(FilePurpose.Assistants, fetched.Purpose);
        Assert.Equal(FileStatus.Processed, fetched.Status);
        Assert.Equal(321, fetched.SizeInBytes);
        Assert.Equal(uploaded.CreatedAt, fetched.CreatedAt);
        Assert.Null(fetched.ExpiresAt);
    }

    [Fact]
    public async Task DownloadFile_gives_back_exactly_the_uploaded_bytes()
    {
        var client = FileClient();
        var data = Api.RandomBytes(3 * 1024 * 1024 + 17);
        OpenAIFile file = await client.UploadFileAsync(BinaryData.FromBytes(data), "blob.bin", FileUploadPurpose.UserData);

        BinaryData downloaded = await client.DownloadFileAsync(file.Id);

        Assert.Equal(data, downloaded.ToArray());
    }

    [Fact]
    public async Task GetFiles_lists_new_files_and_with_a_purpose_only_the_files_of_that_purpose()
    {
        var client = FileClient();
        OpenAIFile vision = await client.UploadFileAsync(BinaryData.FromBytes([1, 2, 3]), "cat.png", FileUploadPurpose.Vision);
        OpenAIFile batch = await client.UploadFileAsync(BinaryData.FromBytes([4, 5, 6]), "batch.jsonl", FileUploadPurpose.Batch);

        OpenAIFileCollection all = await client.GetFilesAsync();
        OpenAIFileCollection visionOnly = await client.GetFilesAsync(FilePurpose.Vision);

        Assert.Contains(all, f => f.Id == vision.Id);
        Assert.Contains(all, f => f.Id == batch.Id);
        Assert.Contains(visionOnly, f => f.Id == vision.Id);
        Assert.DoesNotContain(visionOnly, f => f.Id == batch.Id);
        Assert.All(visionOnly, f => Assert.Equal(FilePurpose.Vision, f.Purpose));
    }

    [Fact]
    public async Task DeleteFile_answers_deleted_and_afterwards_GetFile_and_DownloadFile_throw_404()
    {
        var client = FileClient();
        OpenAIFile file = await client.UploadFileAsync(BinaryData.FromBytes([7, 7, 7]), "gone.txt", FileUploadPurpose.Assistants);

        FileDeletionResult deletion = await client.DeleteFileAsync(file.Id);

        Assert.Equal(file.Id, deletion.FileId);
        Assert.True(deletion.Deleted);
        Assert.Equal(404, (await Assert.ThrowsAsync<ClientResultException>(() => client.GetFileAsync(file.Id))).Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<ClientResultException>(() => client.DownloadFileAsync(file.Id))).Status);
    }

    // docs/api.md: emit only documented purposes, because the .NET SDK throws on an unknown one. Each purpose Tessera
    // accepts must come back as the SDK's FilePurpose, whether the file came from POST /files or from an Upload.
    [Theory]
    [InlineData("assistants", FilePurpose.Assistants)]
    [InlineData("batch", FilePurpose.Batch)]
    [InlineData("fine-tune", FilePurpose.FineTune)]
    [InlineData("vision", FilePurpose.Vision)]
    [InlineData("user_data", FilePurpose.UserData)]
    [InlineData("evals", FilePurpose.Evaluations)]
    public async Task Every_purpose_Tessera_accepts_parses_into_the_SDK_s_FilePurpose_from_UploadFile_and_from_an_upload(string purpose, FilePurpose expected)
    {
        var client = FileClient();
        OpenAIFile posted = await client.UploadFileAsync(BinaryData.FromBytes([1, 2, 3, 4]), $"{purpose}.jsonl", new FileUploadPurpose(purpose));
        var completedFileId = (await UploadThroughUploadsApiAsync(client, [5, 6, 7, 8], purpose)).GetProperty("file").Id();

        Assert.Equal(expected, posted.Purpose);
        Assert.Equal(expected, (await client.GetFileAsync(posted.Id)).Value.Purpose);
        Assert.Equal(expected, (await client.GetFileAsync(completedFileId)).Value.Purpose);
        OpenAIFileCollection listed = await client.GetFilesAsync(expected);
        Assert.Contains(listed, f => f.Id == posted.Id);
        Assert.Contains(listed, f => f.Id == completedFileId);
    }

    [Fact]
    public async Task A_batch_file_parses_with_an_ExpiresAt_30_days_after_its_CreatedAt()
    {
        var client = FileClient();

        OpenAIFile file = await client.UploadFileAsync(BinaryData.FromBytes([1]), "requests.jsonl", FileUploadPurpose.Batch);

        Assert.Equal(file.CreatedAt.AddDays(30), file.ExpiresAt);
        Assert.Equal(file.ExpiresAt, (await client.GetFileAsync(file.Id)).Value.ExpiresAt);
    }

    // Uploads may reach 8 GiB, but the SDK's OpenAIFile.SizeInBytes is an int? that throws OverflowException past
    // 2^31 - 1 (an SDK limitation, not Tessera's): such a file still parses, and SizeInBytesLong reads its size.
    // Built from Tessera's own FileObject and JSON options, since a 2 GiB file is too slow for a test.
    [Fact]
    public void A_file_over_2_GiB_as_Tessera_writes_it_parses_in_the_SDK_and_SizeInBytesLong_reads_its_size()
    {
        const long Bytes = (8L << 30) - 1;
        var json = _server.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var wire = JsonSerializer.Serialize(new FileObject { Id = "file-1111111111111111111111", Bytes = Bytes, CreatedAt = 1_700_000_000, Filename = "huge.bin", Purpose = "batch" }, json);

        var file = ModelReaderWriter.Read<OpenAIFile>(BinaryData.FromString(wire))!;

        Assert.Equal(Bytes, file.SizeInBytesLong);
        Assert.Equal(FilePurpose.Batch, file.Purpose);
        Assert.Throws<OverflowException>(() => file.SizeInBytes);
    }

    [Fact]
    public async Task A_non_ascii_filename_sent_by_the_SDK_comes_back_unchanged()
    {
        var client = FileClient();
        const string Filename = "données été 日本語 ✓.jsonl";

        OpenAIFile file = await client.UploadFileAsync(BinaryData.FromBytes([1, 2]), Filename, FileUploadPurpose.UserData);

        Assert.Equal(Filename, file.Filename);
        Assert.Equal(Filename, (await client.GetFileAsync(file.Id)).Value.Filename);
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v1/")]
    public async Task The_endpoint_reaches_the_v1_routes_written_with_or_without_a_trailing_slash(string path)
    {
        var recorder = new RequestRecorder();
        var options = new OpenAIClientOptions { Endpoint = new Uri(_server.Root, path), RetryPolicy = new ClientRetryPolicy(0) };
        options.AddPolicy(recorder, PipelinePosition.PerCall);
        var client = new OpenAIClient(new ApiKeyCredential(TesseraTestServer.KeyA), options).GetOpenAIFileClient();

        OpenAIFile file = await client.UploadFileAsync(BinaryData.FromBytes([9]), "slash.txt", FileUploadPurpose.Assistants);
        await client.GetFileAsync(file.Id);

        Assert.Equal(["/v1/files", $"/v1/files/{file.Id}"], recorder.Requests.Select(r => r.Uri.AbsolutePath));
    }

    /// <summary>
    /// A file client for <paramref name="key"/> at <c>http://127.0.0.1:PORT/v1</c>, without retries so an error
    /// surfaces at once.
    /// </summary>
    private OpenAIFileClient FileClient(string key = TesseraTestServer.KeyA, Action<OpenAIClientOptions>? configure = null)
    {
        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri(_server.BaseAddress.AbsoluteUri.TrimEnd('/')),
            RetryPolicy = new ClientRetryPolicy(0),
        };
        configure?.Invoke(options);
        return new OpenAIClient(new ApiKeyCredential(key), options).GetOpenAIFileClient();
    }

    /// <summary>The fake clock's now, truncated to whole seconds as the API's timestamps are.</summary>
    private DateTimeOffset WholeSecondsNow() => DateTimeOffset.FromUnixTimeSeconds(_server.Clock.GetUtcNow().ToUnixTimeSeconds());

    private static JsonElement Json(ClientResult result) => JsonDocument.Parse(result.GetRawResponse().Content).RootElement.Clone();
}
