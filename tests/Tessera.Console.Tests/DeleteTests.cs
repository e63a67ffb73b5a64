using System.Net;
using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

// The whole page against the embedded stores; the postgres-s3 rerun leaves the browser out.
[Trait("Storage", "embedded")]
public sealed class DeleteTests(Chromium chromium) : ConsoleTest(chromium)
{
    [Fact]
    public async Task Delete_asks_first_keep_keeps_the_file_and_delete_file_removes_it()
    {
        using var api = Server.CreateClient(TesseraTestServer.KeyA);
        var kept = await api.UploadFileAsync("keep-me.txt", "stay"u8.ToArray());
        var doomed = await api.UploadFileAsync("delete-me.txt", "go away"u8.ToArray());
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);
        var dialog = Page.GetByRole(AriaRole.Dialog);

        await FileRow(doomed).GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(dialog).ToContainTextAsync("delete-me.txt");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Keep", Exact = true }).ClickAsync();
        await Assertions.Expect(dialog).Not.ToBeVisibleAsync();
        await Assertions.Expect(FileRow(doomed)).ToBeVisibleAsync();
        Assert.Equal(HttpStatusCode.OK, await api.StatusOfAsync($"files/{doomed}"));

        await FileRow(doomed).GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete file", Exact = true }).ClickAsync();

        await Assertions.Expect(FileRow(doomed)).ToHaveCountAsync(0);
        await Assertions.Expect(FileRow(kept)).ToBeVisibleAsync();
        await Assertions.Expect(Usage("files")).ToHaveAttributeAsync("data-value", "1");
        Assert.Equal(HttpStatusCode.NotFound, await api.StatusOfAsync($"files/{doomed}"));
        Assert.Equal(HttpStatusCode.OK, await api.StatusOfAsync($"files/{kept}"));
    }

    [Fact]
    public async Task Deleting_a_file_already_gone_says_so_in_words_with_the_status_and_request_id()
    {
        using var api = Server.CreateClient(TesseraTestServer.KeyA);
        var fileId = await api.UploadFileAsync("report.csv", "a,b\n"u8.ToArray());
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);
        await Assertions.Expect(FileRow(fileId)).ToBeVisibleAsync();
        using (var gone = await api.DeleteAsync($"files/{fileId}", Cancellation))
        {
            await gone.ShouldSucceedAsync();
        }

        await FileRow(fileId).GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        var answer = await Page.RunAndWaitForResponseAsync(
            () => Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete file", Exact = true }).ClickAsync(),
            response => response.Request.Method == "DELETE" && response.Url.Contains(fileId, StringComparison.Ordinal));

        Assert.Equal(404, answer.Status);
        var requestId = await answer.HeaderValueAsync("x-request-id");
        Assert.False(string.IsNullOrEmpty(requestId));
        await Assertions.Expect(Alert).ToContainTextAsync("report.csv");
        await Assertions.Expect(Alert).ToContainTextAsync($"No such File object: {fileId}");
        await Assertions.Expect(Alert).ToContainTextAsync("404");
        await Assertions.Expect(Alert).ToContainTextAsync(requestId!);
        await Assertions.Expect(FileRow(fileId)).ToHaveCountAsync(0);
    }
}
