using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

// The whole page against the embedded stores; the postgres-s3 rerun leaves the browser out.
[Trait("Storage", "embedded")]
public sealed class CancelTests(Chromium chromium) : ConsoleTest(chromium)
{
    private const int FileBytes = 40 * 1024 * 1024;

    [Fact]
    public async Task Cancelling_midway_cancels_the_upload_on_the_server_and_frees_its_parts()
    {
        var path = MakeFile("nightly-dump.bin", FileBytes);
        using var api = Server.CreateClient(TesseraTestServer.KeyA);
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);
        // 10 parts at 2 MB/s in all: the first lands after 2 seconds at the soonest, the last ones 20 seconds in.
        ThrottleUploads(2_000_000);

        await StartUploadAsync(path);
        var uploadId = await UploadIdAsync();
        await Eventually.HoldsAsync(() => Parts.Stored >= 1, "the server stored a first part");
        // The pending list shows the upload moving without a Refresh.
        await Assertions.Expect(PendingRow(uploadId).Locator("td[data-bytes]")).Not.ToHaveAttributeAsync("data-bytes", "0");
        // So does the usage: the parts stored so far count.
        await Assertions.Expect(Usage("bytes")).Not.ToHaveAttributeAsync("data-value", "0");
        await Button("Cancel upload").ClickAsync();

        await Assertions.Expect(UploadStatus).ToContainTextAsync("Cancelled");
        var upload = await api.GetJsonAsync($"uploads/{uploadId}");
        Assert.Equal("cancelled", upload.GetProperty("status").GetString());
        Assert.True(Parts.Stored < PartsOf(FileBytes), $"All {Parts.Stored} parts were stored before the cancel: not midway.");

        // Its parts are freed: no bytes counted against the project, no blobs left in the store.
        await Eventually.HoldsAsync(
            async () => (await api.GetJsonAsync("project/usage")).GetProperty("usage").GetProperty("bytes").GetInt64() == 0,
            "the project's usage is back to 0 bytes");
        await Eventually.HoldsAsync(async () => (await Server.StoredBlobKeysAsync(Cancellation)).Count == 0, "the parts' blobs are deleted");
        await Eventually.HoldsAsync(() => Server.TemporaryFiles().Count == 0, "the parts cut off in flight left no temporary files");
        await Assertions.Expect(PendingRow(uploadId)).ToHaveCountAsync(0);
        await Assertions.Expect(Usage("pending_uploads")).ToHaveAttributeAsync("data-value", "0");
        Assert.Equal(0, await LocalResumeRecordsAsync());
    }

    [Fact]
    public async Task Cancel_in_the_pending_list_cancels_that_upload_on_the_server()
    {
        using var api = Server.CreateClient(TesseraTestServer.KeyA);
        var uploadId = await api.CreateUploadAsync("left-behind.bin", 1000);
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);

        await PendingRow(uploadId).GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();

        await Assertions.Expect(PendingRow(uploadId)).ToHaveCountAsync(0);
        Assert.Equal("cancelled", (await api.GetJsonAsync($"uploads/{uploadId}")).GetProperty("status").GetString());
    }

    private Task<int> LocalResumeRecordsAsync() =>
        Page.EvaluateAsync<int>("() => Object.keys(localStorage).filter(k => k.startsWith('tessera.resume.')).length");
}
