using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

// The whole page against the embedded stores; the postgres-s3 rerun leaves the browser out.
[Trait("Storage", "embedded")]
public sealed class UploadTests(Chromium chromium) : ConsoleTest(chromium)
{
    private const int FileBytes = 20_000_000;

    [Fact]
    public async Task A_20_MB_file_goes_up_in_parallel_4_MiB_parts_to_100_percent_and_downloads_as_the_same_bytes()
    {
        var path = MakeFile("survey-2026.bin", FileBytes);
        using var api = Server.CreateClient(TesseraTestServer.KeyA);
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);
        // Slow enough that the test sees the bar between 0 and 100% and the parts overlap on the server (under
        // Playwright each checked part goes out a second or so after the one before: see ThrottleUploads), fast
        // enough to finish in about 10 seconds.
        ThrottleUploads(2_000_000);

        await StartUploadAsync(path, purpose: "batch");
        var uploadId = await UploadIdAsync();
        await Assertions.Expect(UploadStatus).ToContainTextAsync("MiB/s");
        await ExpectUploadedAsync();
        var fileId = (await api.GetJsonAsync($"uploads/{uploadId}")).GetProperty("file").GetProperty("id").GetString()!;
        await Assertions.Expect(UploadStatus).ToContainTextAsync(fileId);

        var seen = await PageRecorder.ReadAsync(Page);
        Assert.Equal(FileBytes, seen.ProgressMax[^1]);
        Assert.Equal(FileBytes, seen.Progress.Max());
        Assert.Contains(seen.Progress, value => value is > 0 and < FileBytes);
        Assert.Contains(seen.Statuses, status => status.Contains('%', StringComparison.Ordinal) && status.Contains("left", StringComparison.OrdinalIgnoreCase));

        // On the server's side: 4 MiB parts, more than one in flight, none sent twice.
        Assert.Equal(PartsOf(FileBytes), Parts.ArrivedFor(uploadId));
        Assert.Equal(PartsOf(FileBytes), Parts.Stored);
        Assert.True(Parts.MostInFlight > 1, $"At most {Parts.MostInFlight} part request was in flight at once.");
        // Multipart framing adds a few hundred bytes to each part's body.
        Assert.Equal(PartsOf(FileBytes) - 1, Parts.StoredBodyLengths.Count(length => length is > PartSize and < PartSize + 1024));

        var row = FileRow(fileId);
        await Assertions.Expect(row).ToContainTextAsync("survey-2026.bin");
        await Assertions.Expect(row).ToContainTextAsync("batch");
        await Assertions.Expect(row.Locator("td[data-bytes]")).ToHaveAttributeAsync("data-bytes", FileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(Usage("bytes")).ToHaveAttributeAsync("data-value", FileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var download = await Page.RunAndWaitForDownloadAsync(() => row.GetByRole(AriaRole.Button, new() { Name = "Download", Exact = true }).ClickAsync());
        Assert.Equal("survey-2026.bin", download.SuggestedFilename);
        var saved = Path.Combine(Path.GetDirectoryName(path)!, "downloaded.bin");
        await download.SaveAsAsync(saved);
        Assert.Equal(FileBytes, new FileInfo(saved).Length);
        Assert.Equal(Sha256Of(path), Sha256Of(saved));
    }
}
