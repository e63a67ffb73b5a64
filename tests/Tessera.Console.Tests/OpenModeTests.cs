using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

// The whole page against the embedded stores; the postgres-s3 rerun leaves the browser out.
[Trait("Storage", "embedded")]
public sealed class OpenModeTests(Chromium chromium) : ConsoleTest(chromium)
{
    protected override bool OpenMode => true;

    [Fact]
    public async Task In_open_mode_the_console_asks_for_no_key_and_lists_the_files()
    {
        using var api = Server.CreateClient(key: "anything");
        var fileId = await api.UploadFileAsync("notes.txt", "hello"u8.ToArray());

        await OpenConsoleAsync(project: "default");

        await Assertions.Expect(FileRow(fileId)).ToContainTextAsync("notes.txt");
        await Assertions.Expect(FileRow(fileId).Locator("td[data-bytes]")).ToHaveAttributeAsync("data-bytes", "5");
        await Assertions.Expect(Usage("bytes")).ToHaveAttributeAsync("data-value", "5");
        await Assertions.Expect(Page.GetByLabel("API key", new() { Exact = true })).Not.ToBeVisibleAsync();
        await Assertions.Expect(Button("Sign out")).Not.ToBeVisibleAsync();
    }
}
