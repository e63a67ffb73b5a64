using System.Security.Cryptography;
using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

// The whole page against the embedded stores; the postgres-s3 rerun leaves the browser out.
[Trait("Storage", "embedded")]
public sealed class ResumeTests(Chromium chromium) : ConsoleTest(chromium)
{
    private const int FileBytes = 40 * 1024 * 1024;

    /// <summary>The console's parts in flight at once, fixed by its contract.</summary>
    private const int InFlight = 4;

    /// <summary>What the pending list says of an upload this browser started and no tab is sending.</summary>
    private const string ResumeHint = "pick the same file under Upload to resume it";

    [Fact]
    public async Task Reloading_midway_then_picking_the_file_again_sends_only_the_parts_the_server_lacks()
    {
        var path = MakeFile("genome.bin", FileBytes);
        var parts = PartsOf(FileBytes);
        using var api = Server.CreateClient(TesseraTestServer.KeyA);
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);
        // 10 parts at 2 MB/s in all: the first lands after 2 seconds at the soonest, the last ones 20 seconds in.
        ThrottleUploads(2_000_000);

        await StartUploadAsync(path);
        var uploadId = await UploadIdAsync();
        await Assertions.Expect(PendingRow(uploadId)).ToBeAttachedAsync();
        await Assertions.Expect(PendingRow(uploadId)).Not.ToContainTextAsync(ResumeHint);
        await Eventually.HoldsAsync(() => Parts.Stored >= 1, "the server stored a first part");
        await Page.ReloadAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = TesseraTestServer.ProjectA, Exact = true })).ToBeVisibleAsync();

        // What the server holds once the requests the reload cut off are over.
        await Eventually.HoldsAsync(() => Parts.InFlight == 0, "the part requests cut off by the reload ended");
        var heldAtReload = await api.StoredPartCountAsync(uploadId);
        var sentBeforeReload = Parts.ArrivedFor(uploadId);
        Assert.InRange(heldAtReload, 1, parts - 1);
        Assert.Equal("pending", (await api.GetJsonAsync($"uploads/{uploadId}")).GetProperty("status").GetString());
        await Assertions.Expect(PendingRow(uploadId).Locator("progress")).ToBeAttachedAsync();
        await Assertions.Expect(PendingRow(uploadId)).ToContainTextAsync(ResumeHint);

        StopThrottling();
        await Region("Upload").GetByLabel("File to upload", new() { Exact = true }).SetInputFilesAsync(path);
        await ExpectUploadedAsync();

        var upload = await api.GetJsonAsync($"uploads/{uploadId}");
        Assert.Equal("completed", upload.GetProperty("status").GetString());
        var fileId = upload.GetProperty("file").GetProperty("id").GetString()!;
        await Assertions.Expect(UploadStatus).ToContainTextAsync(fileId);
        Assert.Contains((await PageRecorder.ReadAsync(Page)).Statuses, status => status.Contains("Resuming", StringComparison.Ordinal));

        // Asserted on the server's side: after the reload only the missing parts came, so all in all the page sent
        // the file's parts plus at most those cut off in flight, fewer than starting over would have.
        var sentAfterReload = Parts.ArrivedFor(uploadId) - sentBeforeReload;
        Assert.Equal(parts - heldAtReload, sentAfterReload);
        Assert.InRange(Parts.ArrivedFor(uploadId), parts, parts + InFlight);
        Assert.True(Parts.ArrivedFor(uploadId) < sentBeforeReload + parts,
            $"{Parts.ArrivedFor(uploadId)} parts sent in all; starting over would have sent {sentBeforeReload + parts}.");

        using var content = await api.GetAsync($"files/{fileId}/content", HttpCompletionOption.ResponseHeadersRead, Cancellation);
        await using var stream = await content.Content.ReadAsStreamAsync(Cancellation);
        Assert.Equal(Sha256Of(path), Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, Cancellation)));
        Assert.Equal(0, await Page.EvaluateAsync<int>("() => Object.keys(localStorage).filter(k => k.startsWith('tessera.resume.')).length"));
    }
}
