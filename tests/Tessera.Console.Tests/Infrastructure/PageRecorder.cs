using System.Text.Json;

namespace Tessera.Console.Tests.Infrastructure;

/// <summary>
/// A script run in every page before the console's own: it watches the upload's progress bar and status text and
/// keeps every value they showed, so a test can say "progress reached 100%" or "it said Resuming" even when the page
/// moved on before the test looked.
/// </summary>
internal static class PageRecorder
{
    public const string Script = """
        (() => {
          const seen = { progress: [], progressMax: [], statuses: [] };
          window.__tesseraSeen = seen;
          const note = (list, value) => { if (value !== null && list[list.length - 1] !== value) list.push(value); };
          const look = records => {
            for (const record of records) {
              const target = record.target;
              if (record.type === 'attributes' && target instanceof HTMLProgressElement
                  && target.getAttribute('aria-label') === 'Upload progress') {
                if (record.attributeName === 'value') note(seen.progress, record.oldValue);
                note(seen.progress, target.getAttribute('value'));
                note(seen.progressMax, target.getAttribute('max'));
              }
            }
            for (const bar of document.querySelectorAll('progress[aria-label="Upload progress"]')) {
              note(seen.progress, bar.getAttribute('value'));
              note(seen.progressMax, bar.getAttribute('max'));
            }
            for (const status of document.querySelectorAll('[data-upload-status]')) note(seen.statuses, status.textContent.trim());
          };
          new MutationObserver(look).observe(document, {
            subtree: true, childList: true, characterData: true, attributes: true, attributeOldValue: true,
          });
        })();
        """;

    public static async Task<Seen> ReadAsync(IPage page)
    {
        var json = await page.EvaluateAsync<JsonElement>("() => window.__tesseraSeen");
        return new Seen(
            [.. json.GetProperty("progress").EnumerateArray().Select(v => double.Parse(v.GetString()!, System.Globalization.CultureInfo.InvariantCulture))],
            [.. json.GetProperty("progressMax").EnumerateArray().Select(v => double.Parse(v.GetString()!, System.Globalization.CultureInfo.InvariantCulture))],
            [.. json.GetProperty("statuses").EnumerateArray().Select(v => v.GetString()!)]);
    }

    /// <summary>Every value the progress bar and the status text took, in order, repeats left out.</summary>
    public sealed record Seen(IReadOnlyList<double> Progress, IReadOnlyList<double> ProgressMax, IReadOnlyList<string> Statuses);
}
