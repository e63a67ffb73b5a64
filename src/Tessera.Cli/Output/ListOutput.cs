using System.Text.Json;
using Tessera.Client;
using Tessera.Contracts;

namespace Tessera.Cli.Output;

/// <summary>
/// Prints a list page as the OpenAI CLI prints its lists: each item of <c>data</c> on its own (so <c>jsonl</c> is
/// one line per item), except <c>raw</c>, which prints the page's body as received.
/// </summary>
internal static class ListOutput
{
    /// <summary>
    /// Prints page after page, each fetched by <paramref name="fetchAfter"/> with the last id of the one before (null
    /// for the first), while <c>has_more</c> and fewer than <paramref name="maxItems"/> are printed, as the OpenAI
    /// CLI's auto-paging lists do. <c>raw</c> prints the first page only, as received.
    /// </summary>
    public static async Task WritePagesAsync<T>(
        JsonDocumentWriter output, Func<string?, Task<ApiResponse<ListObject<T>>>> fetchAfter, Func<T, string> idOf, string title, int maxItems)
    {
        string? after = null;
        var wanted = maxItems;
        while (wanted > 0)
        {
            var page = await fetchAfter(after);
            wanted -= Write(output, page.Body, title, wanted);
            after = page.Value.LastId ?? (page.Value.Data.Count > 0 ? idOf(page.Value.Data[^1]) : null);
            if (output.Format == OutputFormat.Raw || !page.Value.HasMore || after is null)
            {
                break;
            }
        }
    }

    /// <summary>Prints at most <paramref name="maxItems"/> items of the page; returns how many it printed.</summary>
    public static int Write(JsonDocumentWriter output, string pageBody, string title, int maxItems)
    {
        if (output.Format == OutputFormat.Raw)
        {
            output.WriteBody(pageBody, title);
            return 0;
        }

        using var page = JsonDocument.Parse(pageBody);
        var printed = 0;
        foreach (var item in page.RootElement.GetProperty("data").EnumerateArray())
        {
            if (printed == maxItems)
            {
                break;
            }

            output.WriteValue(item, title);
            printed++;
        }

        return printed;
    }
}
