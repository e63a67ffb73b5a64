using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// Everything a form holds outside its file field counts against one bound of 1 MiB; fields the endpoint does not
/// define are read past, not kept.
/// </summary>
public sealed class FormBudgetTests(KeyedServer fixture) : IClassFixture<KeyedServer>
{
    private readonly TesseraTestServer _server = fixture.Server;

    [Fact]
    public async Task Post_files_with_2_MiB_of_unknown_fields_is_refused_with_400_naming_the_limit_and_keeps_nothing()
    {
        using var client = _server.CreateClient();
        var blobsBefore = (await _server.StoredBlobKeysAsync()).ToHashSet();
        using var form = new StreamedForm(fileField: "file", purpose: "assistants", unknownFields: 512, unknownFieldBytes: 4096);

        using var response = await client.PostAsync("files", form);

        var error = await response.ShouldFailAsync(HttpStatusCode.BadRequest, null, "form_fields_too_large");
        Assert.StartsWith("The form's fields other than its file field take more than 1048576 bytes (1 MiB), the limit.",
            error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Subset(blobsBefore, (await _server.StoredBlobKeysAsync()).ToHashSet());
    }

    [Fact]
    public async Task A_part_with_2_MiB_of_unknown_fields_is_refused_with_400_naming_the_limit()
    {
        using var client = _server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(3)).Id();
        using var form = new StreamedForm(fileField: "data", purpose: null, unknownFields: 2048, unknownFieldBytes: 1024);

        using var response = await client.PostAsync($"uploads/{uploadId}/parts", form);

        await response.ShouldFailAsync(HttpStatusCode.BadRequest, null, "form_fields_too_large");
        var parts = await (await client.GetAsync($"uploads/{uploadId}/parts")).ShouldSucceedAsync();
        Assert.Equal(0, parts.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Unknown_fields_longer_than_a_text_field_are_read_past_and_the_file_is_stored()
    {
        using var client = _server.CreateClient();
        using var form = new StreamedForm(fileField: "file", purpose: "assistants", unknownFields: 20, unknownFieldBytes: 10_000);

        var file = await (await client.PostAsync("files", form)).ShouldSucceedAsync();

        Assert.Equal("streamed.txt", file.GetProperty("filename").GetString());
        Assert.Equal(StreamedForm.FileContent.Length, file.GetProperty("bytes").GetInt64());
    }

    /// <summary>
    /// A form written as it is sent, of no known length (so chunked): the purpose, then the unknown fields, then the
    /// file; nothing of it is held in the test's memory whole.
    /// </summary>
    private sealed class StreamedForm : HttpContent
    {
        public static readonly byte[] FileContent = Encoding.ASCII.GetBytes("the file's bytes");

        private const string Boundary = "form-budget-boundary";
        private readonly string _fileField;
        private readonly string? _purpose;
        private readonly int _unknownFields;
        private readonly int _unknownFieldBytes;

        public StreamedForm(string fileField, string? purpose, int unknownFields, int unknownFieldBytes)
        {
            (_fileField, _purpose, _unknownFields, _unknownFieldBytes) = (fileField, purpose, unknownFields, unknownFieldBytes);
            Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            if (_purpose is not null)
            {
                await WriteAsync(stream, $"--{Boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n{_purpose}\r\n");
            }

            var value = new string('v', _unknownFieldBytes);
            for (var i = 0; i < _unknownFields; i++)
            {
                await WriteAsync(stream, $"--{Boundary}\r\nContent-Disposition: form-data; name=\"extra_{i}\"\r\n\r\n{value}\r\n");
            }

            await WriteAsync(stream, $"--{Boundary}\r\nContent-Disposition: form-data; name=\"{_fileField}\"; filename=\"streamed.txt\"\r\n\r\n");
            await stream.WriteAsync(FileContent);
            await WriteAsync(stream, $"\r\n--{Boundary}--\r\n");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        private static Task WriteAsync(Stream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();
    }
}
