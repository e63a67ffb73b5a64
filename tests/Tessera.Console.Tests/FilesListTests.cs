using System.Text.RegularExpressions;
using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

// The whole page against the embedded stores; the postgres-s3 rerun leaves the browser out.
[Trait("Storage", "embedded")]
public sealed partial class FilesListTests(Chromium chromium) : ConsoleTest(chromium)
{
    [Fact]
    public async Task The_files_table_pages_with_load_more_filters_by_purpose_on_the_server_and_by_name_in_the_page()
    {
        using var api = Server.CreateClient(TesseraTestServer.KeyA);
        foreach (var (name, purpose) in new[]
        {
            ("train-1.jsonl", "batch"), ("notes.txt", "assistants"), ("train-2.jsonl", "batch"),
            ("summary.txt", "assistants"), ("train-3.jsonl", "batch"),
        })
        {
            await api.UploadFileAsync(name, "{}"u8.ToArray(), purpose);
        }

        // Pages of 2, whatever page size the console asks for, so five files take three pages.
        await Page.RouteAsync(url => new Uri(url).AbsolutePath == "/v1/files", route =>
            route.ContinueAsync(new() { Url = WithLimit(route.Request.Url, 2) }));
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);
        var rows = FilesTable.Locator("tr[data-file-id]");
        var loadMore = Region("Files").GetByRole(AriaRole.Button, new() { Name = "Load more", Exact = true });

        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await loadMore.ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(4);
        await loadMore.ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(5);
        await Assertions.Expect(loadMore).Not.ToBeVisibleAsync();

        await Region("Files").GetByLabel("Purpose filter", new() { Exact = true }).SelectOptionAsync("batch");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await loadMore.ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        await Assertions.Expect(loadMore).Not.ToBeVisibleAsync();
        await Assertions.Expect(FilesTable.GetByText("notes.txt")).ToHaveCountAsync(0);

        await Region("Files").GetByLabel("Filter by name", new() { Exact = true }).FillAsync("train-2");
        await Assertions.Expect(FilesTable.Locator("tr[data-file-id]:visible")).ToHaveCountAsync(1);
        await Assertions.Expect(FilesTable.Locator("tr[data-file-id]:visible")).ToContainTextAsync("train-2.jsonl");
    }

    private static string WithLimit(string url, int limit) =>
        LimitParameter().IsMatch(url)
            ? LimitParameter().Replace(url, $"limit={limit}")
            : url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + $"limit={limit}";

    [GeneratedRegex(@"limit=\d+")]
    private static partial Regex LimitParameter();
}
