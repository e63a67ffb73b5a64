using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

// The whole page against the embedded stores; the postgres-s3 rerun leaves the browser out.
[Trait("Storage", "embedded")]
public sealed class UncheckedUploadTests(Chromium chromium) : ConsoleTest(chromium)
{
    private const string CheckLabel = "Check each part's CRC32C";

    /// <summary>The console's parts in flight at once, fixed by its contract.</summary>
    private const int InFlight = 4;

    /// <summary>The script of every worker the page started: hashing runs in one of its own.</summary>
    private readonly ConcurrentQueue<string> _workers = new();

    private ILocator CheckBox => Region("Upload").GetByLabel(CheckLabel, new() { Exact = true });

    private ILocator Purpose => Region("Upload").GetByLabel("Upload purpose", new() { Exact = true });

    [Fact]
    public async Task With_the_check_unchecked_a_20_MB_file_goes_up_intact_without_hashing_or_checksum_headers_or_asking_for_the_part_list()
    {
        const int fileBytes = 20_000_000;
        var path = MakeFile("unchecked.bin", fileBytes);
        var requests = new PageRequests(Page);
        using var api = Server.CreateClient(TesseraTestServer.KeyA);
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);
        Page.Worker += (_, worker) => _workers.Enqueue(worker.Url);
        await Assertions.Expect(CheckBox).ToBeCheckedAsync();
        await Assertions.Expect(CheckBox).ToBeEnabledAsync();
        await CheckBox.UncheckAsync();
        // Slow enough that the test sees the upload running, fast enough to finish in a few seconds.
        ThrottleUploads(8_000_000);

        await StartUploadAsync(path);
        var uploadId = await UploadIdAsync();
        // The form is for the next file; what this upload was started with shows beside it.
        await Assertions.Expect(Region("Upload").Locator("#upload-settings")).ToHaveTextAsync("user_data · parts not checked");
        await Assertions.Expect(UploadStatus).ToContainTextAsync("Uploaded");
        var fileId = (await api.GetJsonAsync($"uploads/{uploadId}")).GetProperty("file").GetProperty("id").GetString()!;
        await Assertions.Expect(UploadStatus).ToContainTextAsync(fileId);
        await Assertions.Expect(UploadStatus).ToContainTextAsync("not checked");
        await Assertions.Expect(CheckBox).ToBeEnabledAsync();
        await Assertions.Expect(Purpose).ToBeEnabledAsync();
        await Assertions.Expect(CheckBox).Not.ToBeCheckedAsync();

        Assert.Equal(0, Parts.ListingsFor(uploadId));
        Assert.DoesNotContain(_workers, url => url.Contains("crc32c", StringComparison.Ordinal));
        Assert.Equal(PartsOf(fileBytes), requests.PartsOf(uploadId).Count);
        Assert.All(requests.PartsOf(uploadId).Concat(requests.CompletesOf(uploadId)), request => Assert.Null(request.Crc32C));
        Assert.Equal(PartsOf(fileBytes), Parts.ArrivedFor(uploadId));

        var row = FileRow(fileId);
        await Assertions.Expect(row.Locator("td[data-bytes]")).ToHaveAttributeAsync("data-bytes", fileBytes.ToString(CultureInfo.InvariantCulture));
        var download = await Page.RunAndWaitForDownloadAsync(() => row.GetByRole(AriaRole.Button, new() { Name = "Download", Exact = true }).ClickAsync());
        var saved = Path.Combine(Path.GetDirectoryName(path)!, "downloaded.bin");
        await download.SaveAsAsync(saved);
        Assert.Equal(Sha256Of(path), Sha256Of(saved));
    }

    [Fact]
    public async Task Resumed_with_the_check_unchecked_it_sends_only_the_parts_not_recorded_and_reads_the_part_list_once()
    {
        const int fileBytes = 40 * 1024 * 1024;
        var path = MakeFile("unchecked-resume.bin", fileBytes);
        var parts = PartsOf(fileBytes);
        using var api = Server.CreateClient(TesseraTestServer.KeyA);
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);
        await CheckBox.UncheckAsync();
        ThrottleUploads(16_000_000);

        await StartUploadAsync(path);
        var uploadId = await UploadIdAsync();
        await Eventually.HoldsAsync(() => Parts.Stored >= 1, "the server stored a first part");
        await Page.ReloadAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = TesseraTestServer.ProjectA, Exact = true })).ToBeVisibleAsync();
        await Eventually.HoldsAsync(() => Parts.InFlight == 0, "the part requests cut off by the reload ended");
        Assert.Equal(0, Parts.ListingsFor(uploadId));
        var heldAtReload = await api.StoredPartCountAsync(uploadId);
        var listedAtReload = Parts.ListingsFor(uploadId);
        var sentBeforeReload = Parts.ArrivedFor(uploadId);
        Assert.InRange(heldAtReload, 1, parts - 1);

        // A reloaded page has the box checked again; the state when the file is picked again is what counts.
        Page.Worker += (_, worker) => _workers.Enqueue(worker.Url);
        await Assertions.Expect(CheckBox).ToBeCheckedAsync();
        await CheckBox.UncheckAsync();
        StopThrottling();
        await Region("Upload").GetByLabel("File to upload", new() { Exact = true }).SetInputFilesAsync(path);
        await Assertions.Expect(UploadStatus).ToContainTextAsync("Uploaded");
        await Assertions.Expect(UploadStatus).ToContainTextAsync("not checked");

        var upload = await api.GetJsonAsync($"uploads/{uploadId}");
        Assert.Equal("completed", upload.GetProperty("status").GetString());
        // The parts the server lacked, plus any it held whose answer the reload cut off before the page recorded it:
        // without hashes such a part cannot be matched to its slice, so it goes again (at most one per request in flight).
        Assert.InRange(Parts.ArrivedFor(uploadId) - sentBeforeReload, parts - heldAtReload, parts - heldAtReload + InFlight);
        // The page's one listing is the resume's question of which parts the server holds.
        Assert.Equal(1, Parts.ListingsFor(uploadId) - listedAtReload);
        Assert.DoesNotContain(_workers, url => url.Contains("crc32c", StringComparison.Ordinal));
        var fileId = upload.GetProperty("file").GetProperty("id").GetString()!;
        using var content = await api.GetAsync($"files/{fileId}/content", HttpCompletionOption.ResponseHeadersRead, Cancellation);
        await using var stream = await content.Content.ReadAsStreamAsync(Cancellation);
        Assert.Equal(Sha256Of(path), Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, Cancellation)));
    }

    // The counterpart that shows the witnesses above can see something: with the box left as it is, the same page
    // hashes in a worker and sends a checksum with every part and with complete.
    [Fact]
    public async Task With_the_check_left_on_the_page_hashes_in_a_worker_and_sends_a_CRC32C_with_every_part()
    {
        const int fileBytes = 6_000_000;
        var path = MakeFile("checked.bin", fileBytes);
        var requests = new PageRequests(Page);
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);
        Page.Worker += (_, worker) => _workers.Enqueue(worker.Url);
        await Assertions.Expect(CheckBox).ToBeCheckedAsync();

        await StartUploadAsync(path);
        var uploadId = await UploadIdAsync();
        await Assertions.Expect(UploadStatus).ToContainTextAsync("Uploaded");

        await Assertions.Expect(UploadStatus).Not.ToContainTextAsync("not checked");
        await Assertions.Expect(UploadStatus).ToContainTextAsync("CRC32C checked");
        Assert.Contains(_workers, url => url.Contains("crc32c", StringComparison.Ordinal));
        Assert.Equal(PartsOf(fileBytes), requests.PartsOf(uploadId).Count);
        Assert.All(requests.PartsOf(uploadId).Concat(requests.CompletesOf(uploadId)), request => Assert.NotNull(request.Crc32C));
    }
}
