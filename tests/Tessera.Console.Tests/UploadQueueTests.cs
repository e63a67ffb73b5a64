using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

// The whole page against the embedded stores; the postgres-s3 rerun leaves the browser out.
[Trait("Storage", "embedded")]
public sealed class UploadQueueTests(Chromium chromium) : ConsoleTest(chromium)
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task A_file_started_during_an_upload_waits_in_the_queue_with_its_purpose_and_goes_up_after_it()
    {
        var first = MakeFile("first.bin", 16 * MiB);
        var second = MakeFile("second.bin", MiB);
        var requests = new PageRequests(Page);
        using var api = Server.CreateClient(TesseraTestServer.KeyA);
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);
        // Half a minute or so for the first file, so the second is started while it runs even on a busy machine; the
        // link goes back to full speed once the queue has been seen.
        ThrottleUploads(500_000);

        await StartUploadAsync(first, "assistants");
        var firstId = await UploadIdAsync();
        await StartUploadAsync(second, "batch");

        var queue = Region("Upload").GetByRole(AriaRole.List, new() { Name = "Up next", Exact = true });
        await Assertions.Expect(queue.GetByRole(AriaRole.Listitem)).ToHaveCountAsync(1);
        await Assertions.Expect(queue).ToContainTextAsync("second.bin");
        await Assertions.Expect(queue).ToContainTextAsync("batch");
        await Assertions.Expect(Region("Upload").Locator("#upload-name")).ToHaveTextAsync("first.bin");
        StopThrottling();

        await Assertions.Expect(FilesTable.Locator("tr[data-name='first.bin']")).ToHaveCountAsync(1);
        await Assertions.Expect(FilesTable.Locator("tr[data-name='second.bin']")).ToContainTextAsync("batch");
        await Assertions.Expect(FilesTable.Locator("tr[data-name='first.bin']")).ToContainTextAsync("assistants");
        await Assertions.Expect(queue).Not.ToBeVisibleAsync();
        await Assertions.Expect(UploadStatus).ToContainTextAsync("Uploaded");

        // One after the other: the second upload was created only once the first was completed.
        var sent = requests.All;
        var firstCompleted = sent.ToList().FindIndex(r => r.Method == "POST" && r.Path == $"/v1/uploads/{firstId}/complete");
        var creates = sent.Select((r, index) => (r, index)).Where(x => x.r.Method == "POST" && x.r.Path == "/v1/uploads").ToList();
        Assert.Equal(2, creates.Count);
        Assert.True(firstCompleted >= 0 && creates[1].index > firstCompleted, "The second upload was created before the first was completed.");
    }
}
