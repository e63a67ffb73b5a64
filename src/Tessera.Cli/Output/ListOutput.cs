using System.Text.Json;

namespace Tessera.Cli.Output;

/// <summary>
/// Prints a list page as the OpenAI CLI prints its lists: each item of <c>data</c> on its own (so <c>jsonl</c> is
/// one line per item), except <c>raw</c>, which prints the page's body as received.
/// </summary>
internal static class ListOutput
{
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
