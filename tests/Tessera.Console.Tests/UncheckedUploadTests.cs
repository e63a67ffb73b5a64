using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

// The whole page against the embedded stores; the postgres-s3 rerun leaves the browser out.
[Trait("Storage", "embedded")]
public sealed class UncheckedUploadTests(Chromium chromium) : ConsoleTest(chromium)
{
    private const string CheckLabel = "Check each part's MD5";

    private readonly PartListings _listings = new();

    /// <summary>The script of every worker the page started: hashing runs in one of its own.</summary>
    private readonly ConcurrentQueue<string> _workers = new();

    private ILocator CheckBox => Region("Upload").GetByLabel(CheckLabel, new() { Exact = true });

    protected override void ConfigureServerServices(IServiceCollection services)
    {
        base.ConfigureServerServices(services);
        _listings.Register(services);
    }

    [Fact]
    public async Task With_the_MD5_check_unchecked_a_20_MB_file_goes_up_intact_without_hashing_or_asking_for_the_part_list()
    {
        const int fileBytes = 20_000_000;
        var path = MakeFile("unchecked.bin", fileBytes);
        using var api = Server.CreateClient(TesseraTestServer.KeyA);
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);
        Page.Worker += (_, worker) => _workers.Enqueue(worker.Url);
        await Assertions.Expect(CheckBox).ToBeCheckedAsync();
        await Assertions.Expect(CheckBox).ToBeEnabledAsync();
        await CheckBox.UncheckAsync();
        // Slow enough that the test sees the upload running, fast enough to finish in a few seconds.
        await ThrottleUploadsAsync(8_000_000);

        await StartUploadAsync(path);
        var uploadId = await UploadIdAsync();
        await Assertions.Expect(CheckBox).ToBeDisabledAsync();
        await Assertions.Expect(UploadStatus).ToContainTextAsync("Uploaded");
        var fileId = (await api.GetJsonAsync($"uploads/{uploadId}")).GetProperty("file").GetProperty("id").GetString()!;
        await Assertions.Expect(UploadStatus).ToContainTextAsync(fileId);
        await Assertions.Expect(UploadStatus).ToContainTextAsync("not checked");
        await Assertions.Expect(CheckBox).ToBeEnabledAsync();
        await Assertions.Expect(CheckBox).Not.ToBeCheckedAsync();

        Assert.Equal(0, _listings.For(uploadId));
        Assert.DoesNotContain(_workers, url => url.Contains("md5", StringComparison.Ordinal));
        Assert.DoesNotContain((await PageRecorder.ReadAsync(Page)).Statuses, status => status.Contains("Verif", StringComparison.Ordinal));
        Assert.Equal(PartsOf(fileBytes), Parts.ArrivedFor(uploadId));

        var row = FileRow(fileId);
        await Assertions.Expect(row.Locator("td[data-bytes]")).ToHaveAttributeAsync("data-bytes", fileBytes.ToString(CultureInfo.InvariantCulture));
        await StopThrottlingAsync();
        var download = await Page.RunAndWaitForDownloadAsync(() => row.GetByRole(AriaRole.Button, new() { Name = "Download", Exact = true }).ClickAsync());
        var saved = Path.Combine(Path.GetDirectoryName(path)!, "downloaded.bin");
        await download.SaveAsAsync(saved);
        Assert.Equal(Sha256Of(path), Sha256Of(saved));
    }

    // The counterpart that shows the two witnesses above can see something: with the box left as it is, the same
    // page hashes in a worker and reads the server's part list.
    [Fact]
    public async Task With_the_check_left_on_the_page_hashes_in_a_worker_and_compares_with_the_server_part_list()
    {
        const int fileBytes = 6_000_000;
        var path = MakeFile("checked.bin", fileBytes);
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);
        Page.Worker += (_, worker) => _workers.Enqueue(worker.Url);
        await Assertions.Expect(CheckBox).ToBeCheckedAsync();

        await StartUploadAsync(path);
        var uploadId = await UploadIdAsync();
        await Assertions.Expect(UploadStatus).ToContainTextAsync("Uploaded");

        await Assertions.Expect(UploadStatus).Not.ToContainTextAsync("not checked");
        Assert.True(_listings.For(uploadId) >= 1, "The page never asked for the part list.");
        Assert.Contains(_workers, url => url.Contains("md5", StringComparison.Ordinal));
        Assert.Contains((await PageRecorder.ReadAsync(Page)).Statuses, status => status.Contains("Verifying", StringComparison.Ordinal));
    }
}
