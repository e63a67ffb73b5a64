using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

// The whole page against the embedded stores; the postgres-s3 rerun leaves the browser out.
[Trait("Storage", "embedded")]
public sealed class SignInTests(Chromium chromium) : ConsoleTest(chromium)
{
    [Fact]
    public async Task Signing_in_with_a_key_shows_that_projects_files_and_none_of_another_projects()
    {
        using var alpha = Server.CreateClient(TesseraTestServer.KeyA);
        using var beta = Server.CreateClient(TesseraTestServer.KeyB);
        var alphaFile = await alpha.UploadFileAsync("alpha-report.csv", "a,b\n1,2\n"u8.ToArray());
        var betaFile = await beta.UploadFileAsync("beta-secret.csv", "x,y\n"u8.ToArray());

        await OpenConsoleAsync();
        await Assertions.Expect(Page.GetByLabel("API key", new() { Exact = true })).ToBeVisibleAsync();
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);

        await Assertions.Expect(FileRow(alphaFile)).ToContainTextAsync("alpha-report.csv");
        await Assertions.Expect(FilesTable.Locator("tr[data-file-id]")).ToHaveCountAsync(1);
        await Assertions.Expect(FileRow(betaFile)).ToHaveCountAsync(0);
        await Assertions.Expect(Page.GetByText("beta-secret.csv")).ToHaveCountAsync(0);
        await Assertions.Expect(Usage("files")).ToHaveAttributeAsync("data-value", "1");
        await Assertions.Expect(Button("Sign out")).ToBeVisibleAsync();

        // The key lives in this tab's session storage only: not in the address, not in local storage.
        Assert.Equal(TesseraTestServer.KeyA, await Page.EvaluateAsync<string?>("() => sessionStorage.getItem('tessera.apiKey')"));
        Assert.DoesNotContain(TesseraTestServer.KeyA, Page.Url, StringComparison.Ordinal);
        var local = await Page.EvaluateAsync<string>("() => JSON.stringify(Object.entries(localStorage))");
        Assert.DoesNotContain(TesseraTestServer.KeyA, local, StringComparison.Ordinal);

        await Button("Sign out").ClickAsync();
        await Assertions.Expect(Page.GetByLabel("API key", new() { Exact = true })).ToBeVisibleAsync();
        Assert.Null(await Page.EvaluateAsync<string?>("() => sessionStorage.getItem('tessera.apiKey')"));
        await Assertions.Expect(FileRow(alphaFile)).Not.ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_wrong_key_shows_the_servers_message_and_request_id_and_stays_on_the_form()
    {
        await OpenConsoleAsync(key: "sk-not-a-key-of-this-server");

        await Assertions.Expect(Alert).ToContainTextAsync("401");
        await Assertions.Expect(Alert).ToContainTextAsync("Incorrect API key provided");
        await Assertions.Expect(Alert).ToContainTextAsync(Text(@"Request id:?\s*\S+"));
        await Assertions.Expect(Page.GetByLabel("API key", new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(Button("Sign in")).ToBeVisibleAsync();
        await Assertions.Expect(Region("Files")).Not.ToBeVisibleAsync();
        Assert.Null(await Page.EvaluateAsync<string?>("() => sessionStorage.getItem('tessera.apiKey')"));
    }
}
