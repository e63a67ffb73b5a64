using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

// The whole page against the embedded stores; the postgres-s3 rerun leaves the browser out.
[Trait("Storage", "embedded")]
public sealed class FileQuotaRefusalTests(Chromium chromium) : ConsoleTest(chromium)
{
    protected override IReadOnlyDictionary<string, string> ServerSettings =>
        new Dictionary<string, string> { ["Tessera:Quotas:Files"] = "1" };

    [Fact]
    public async Task An_upload_refused_at_complete_by_the_files_quota_stays_pending_and_completes_when_picked_again_after_a_delete()
    {
        var path = MakeFile("second.bin", 3 * PartSize / 2);
        using var api = Server.CreateClient(TesseraTestServer.KeyA);
        var first = await api.UploadFileAsync("first.txt", "{}"u8.ToArray());
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);

        await StartUploadAsync(path);
        var uploadId = await UploadIdAsync();

        await Assertions.Expect(Alert).ToContainTextAsync("would exceed project alpha's quota of 1 files", new() { Timeout = 20_000 });
        await Assertions.Expect(UploadStatus).ToContainTextAsync("Every part is held: delete a file, then pick second.bin again to complete it.");
        Assert.Equal("pending", (await api.GetJsonAsync($"uploads/{uploadId}")).GetProperty("status").GetString());
        await Assertions.Expect(PendingRow(uploadId)).ToContainTextAsync("pick the same file under Upload to resume it");

        Assert.Equal(System.Net.HttpStatusCode.OK, (await api.DeleteAsync($"files/{first}", Cancellation)).StatusCode);
        await Region("Upload").GetByLabel("File to upload", new() { Exact = true }).SetInputFilesAsync(path);

        await Assertions.Expect(UploadStatus).ToContainTextAsync("Uploaded");
        Assert.Equal("completed", (await api.GetJsonAsync($"uploads/{uploadId}")).GetProperty("status").GetString());
        // Completed with the parts already held: none was sent again.
        Assert.Equal(PartsOf(new FileInfo(path).Length), Parts.ArrivedFor(uploadId));
    }
}
