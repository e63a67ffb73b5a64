using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

// The whole page against the embedded stores; the postgres-s3 rerun leaves the browser out.
[Trait("Storage", "embedded")]
public sealed class FileIdAndPurposeTests(Chromium chromium) : ConsoleTest(chromium)
{
    [Fact]
    public async Task Clicking_a_files_id_in_the_table_copies_it_and_says_Copied()
    {
        using var api = Server.CreateClient(TesseraTestServer.KeyA);
        var fileId = await api.UploadFileAsync("train.jsonl", "{}"u8.ToArray(), "batch");
        await Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);

        var row = FileRow(fileId);
        await Assertions.Expect(row).ToContainTextAsync(fileId);
        await row.GetByRole(AriaRole.Button, new() { Name = $"Copy {fileId}", Exact = true }).ClickAsync();

        await Assertions.Expect(row.GetByRole(AriaRole.Status)).ToHaveTextAsync("Copied");
        Assert.Equal(fileId, await Page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
    }

    [Fact]
    public async Task The_upload_purpose_picked_last_is_still_chosen_after_a_reload()
    {
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);
        var purpose = Region("Upload").GetByLabel("Upload purpose", new() { Exact = true });
        await Assertions.Expect(purpose).ToHaveValueAsync("user_data");

        await purpose.SelectOptionAsync("fine-tune");
        await Page.ReloadAsync();

        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = TesseraTestServer.ProjectA, Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(purpose).ToHaveValueAsync("fine-tune");
    }
}
