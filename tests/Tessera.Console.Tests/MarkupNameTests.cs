using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

// The whole page against the embedded stores; the postgres-s3 rerun leaves the browser out.
[Trait("Storage", "embedded")]
public sealed class MarkupNameTests(Chromium chromium) : ConsoleTest(chromium)
{
    private const string MarkupName = "<img src=x onerror=alert(1)>";

    [Fact]
    public async Task A_file_named_like_markup_shows_as_that_text_everywhere_and_runs_nothing()
    {
        using var api = Server.CreateClient(TesseraTestServer.KeyA);
        var fileId = await api.UploadFileAsync(MarkupName, "not an image"u8.ToArray());
        var pendingId = await api.CreateUploadAsync(MarkupName, 1000);
        var picked = MakeFile(MarkupName, 1000);

        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);
        await Assertions.Expect(FileRow(fileId).GetByRole(AriaRole.Cell, new() { Name = MarkupName, Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(PendingRow(pendingId)).ToContainTextAsync(MarkupName);

        // The same name coming from the user's disk, shown while it uploads and in the list afterwards.
        await StartUploadAsync(picked);
        await Assertions.Expect(UploadStatus).ToContainTextAsync("Uploaded");
        await Assertions.Expect(FilesTable.GetByRole(AriaRole.Cell, new() { Name = MarkupName, Exact = true })).ToHaveCountAsync(2);

        Assert.Equal(0, await Page.Locator("img").CountAsync());
        Assert.Empty(Dialogs);
    }
}
