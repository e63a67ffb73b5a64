using System.Security.Cryptography;
using Tessera.Console.Tests.Infrastructure;
using Tessera.Contracts;

namespace Tessera.Console.Tests;

// The whole page against the embedded stores; the postgres-s3 rerun leaves the browser out.
[Trait("Storage", "embedded")]
public sealed class VerifiedUploadTests(Chromium chromium) : ConsoleTest(chromium)
{
    /// <summary>Two full parts and a short one, so the file's CRC32C is combined from unequal pieces.</summary>
    private const int FileBytes = (2 * PartSize) + 1_234_567;

    [Fact]
    public async Task A_verified_upload_sends_each_part_s_CRC32C_and_the_file_s_at_complete_and_never_asks_for_the_part_list()
    {
        var path = MakeFile("verified.bin", FileBytes);
        var content = await File.ReadAllBytesAsync(path, Cancellation);
        var requests = new PageRequests(Page);
        using var api = Server.CreateClient(TesseraTestServer.KeyA);
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);

        await StartUploadAsync(path);
        var uploadId = await UploadIdAsync();
        await Assertions.Expect(UploadStatus).ToContainTextAsync("Uploaded");
        await Assertions.Expect(UploadStatus).ToContainTextAsync("CRC32C checked");

        // Each part's header is the CRC32C of one slice of the file; parts go in parallel, so compare them as sets.
        var expectedParts = content.Chunk(PartSize).Select(slice => Crc32C.ToHeaderValue(Crc32C.Compute(slice))).Order();
        Assert.Equal(expectedParts, requests.PartsOf(uploadId).Select(request => request.Crc32C).Order());
        var complete = Assert.Single(requests.CompletesOf(uploadId));
        Assert.Equal(Crc32C.ToHeaderValue(Crc32C.Compute(content)), complete.Crc32C);
        Assert.DoesNotContain(requests.All, request => request.Method == "GET" && request.Path.EndsWith("/parts", StringComparison.Ordinal));
        Assert.Equal(0, Parts.ListingsFor(uploadId));
        Assert.Equal(PartsOf(FileBytes), Parts.ArrivedFor(uploadId));

        var fileId = (await api.GetJsonAsync($"uploads/{uploadId}")).GetProperty("file").GetProperty("id").GetString()!;
        using var download = await api.GetAsync($"files/{fileId}/content", HttpCompletionOption.ResponseHeadersRead, Cancellation);
        await using var stream = await download.Content.ReadAsStreamAsync(Cancellation);
        Assert.Equal(Sha256Of(path), Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, Cancellation)));
    }
}
