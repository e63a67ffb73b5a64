using System.Collections.Concurrent;
using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

/// <summary>What the page shows around its regions: the alert, the upload form's buttons, sizes, the browser's console.</summary>
// The whole page against the embedded stores; the postgres-s3 rerun leaves the browser out.
[Trait("Storage", "embedded")]
public sealed class PageChromeTests(Chromium chromium) : ConsoleTest(chromium)
{
    [Fact]
    public async Task Loading_a_keyed_server_and_signing_in_logs_no_error_in_the_browsers_console()
    {
        var errors = new ConcurrentQueue<string>();
        Page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Enqueue(message.Text);
            }
        };

        await OpenConsoleAsync();
        await Assertions.Expect(Page.GetByLabel("API key", new() { Exact = true })).ToBeVisibleAsync();
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);
        await Assertions.Expect(Region("Files").GetByText("No files.")).ToBeVisibleAsync();
        await Page.ReloadAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = TesseraTestServer.ProjectA, Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(Region("Files").GetByText("No files.")).ToBeVisibleAsync();

        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_Dismiss_button_keeps_its_label_on_one_line_when_the_alert_wraps_on_a_narrow_screen()
    {
        await Page.SetViewportSizeAsync(320, 700);
        await OpenConsoleAsync(key: "sk-not-a-key-of-this-server-and-long-enough-to-wrap");
        await Assertions.Expect(Alert).ToContainTextAsync("401");

        var dismiss = Button("Dismiss");
        await Assertions.Expect(dismiss).ToBeVisibleAsync();
        // One line box per line of text: a label broken mid-word has two.
        var lines = await dismiss.EvaluateAsync<int>("b => { const r = document.createRange(); r.selectNodeContents(b); return r.getClientRects().length; }");
        Assert.Equal(1, lines);
        var alertLines = await Alert.EvaluateAsync<int>("p => { const r = document.createRange(); r.selectNodeContents(p); return r.getClientRects().length; }");
        Assert.True(alertLines > 1, "The alert's text did not wrap: the viewport is not narrow enough to test this.");
    }

    [Fact]
    public async Task Cancel_upload_is_offered_only_while_an_upload_runs()
    {
        var path = MakeFile("small.bin", 1000);
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);
        var cancel = Region("Upload").GetByRole(AriaRole.Button, new() { Name = "Cancel upload", Exact = true });

        // Upload with no file picked: the page says to pick one, and there is nothing to cancel.
        await Region("Upload").GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();
        await Assertions.Expect(UploadStatus).ToHaveTextAsync("Pick a file first.");
        await Assertions.Expect(cancel).Not.ToBeVisibleAsync();

        await StartUploadAsync(path);
        await Assertions.Expect(UploadStatus).ToContainTextAsync("Uploaded");
        await Assertions.Expect(cancel).Not.ToBeVisibleAsync();
    }

    [Fact]
    public async Task Sizes_read_in_binary_units_with_one_decimal_as_the_CLI_prints_them()
    {
        using var api = Server.CreateClient(TesseraTestServer.KeyA);
        // 3.5 million bytes: "3.50 MB" in decimal units, 3.3 MiB in binary ones.
        var fileId = await api.UploadFileAsync("export.csv", new byte[3_500_000]);
        var small = await api.UploadFileAsync("tiny.txt", new byte[1536]);
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);

        await Assertions.Expect(FileRow(fileId).Locator("td[data-bytes]")).ToHaveTextAsync("3.3 MiB");
        await Assertions.Expect(FileRow(small).Locator("td[data-bytes]")).ToHaveTextAsync("1.5 KiB");
        await Assertions.Expect(Usage("bytes")).ToHaveTextAsync("3.3 MiB");
    }
}
