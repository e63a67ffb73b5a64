using System.Buffers;
using System.Globalization;
using System.Text;

namespace Tessera.Server.Logging;

/// <summary>
/// Makes text from a request safe to print on one log line: control characters (an escape sequence that would
/// recolour or rewrite a terminal, a CR or LF that would start a forged line, a NUL that ends a string early), the
/// Unicode line separators and the bidirectional overrides that reorder what a reader sees become visible text
/// such as <c>\x1b</c>, <c>\r</c>, <c>\n</c>, <c>\0</c> or <c>\u202e</c>.
/// </summary>
internal static class LogEscaping
{
    // C0 and C1 controls and DEL (an 8-bit CSI, U+009B, starts an escape sequence on some terminals too), the
    // line and paragraph separators, and the bidirectional marks, embeddings, overrides and isolates.
    private static readonly SearchValues<char> MustEscape = SearchValues.Create(
        [.. Range('\u0000', '\u001f'), .. Range('\u007f', '\u009f'), '\u061c', '\u200e', '\u200f',
         .. Range('\u2028', '\u202e'), .. Range('\u2066', '\u2069')]);

    /// <summary>The text itself when nothing in it needs escaping (no copy is made), an escaped copy otherwise.</summary>
    public static string Escape(string text)
    {
        var first = text.AsSpan().IndexOfAny(MustEscape);
        if (first < 0)
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16).Append(text, 0, first);
        foreach (var character in text.AsSpan(first))
        {
            if (!MustEscape.Contains(character))
            {
                escaped.Append(character);
                continue;
            }

            escaped.Append(character switch
            {
                '\0' => @"\0",
                '\t' => @"\t",
                '\n' => @"\n",
                '\r' => @"\r",
                < '\u0100' => string.Create(CultureInfo.InvariantCulture, $@"\x{(int)character:x2}"),
                _ => string.Create(CultureInfo.InvariantCulture, $@"\u{(int)character:x4}"),
            });
        }

        return escaped.ToString();
    }

    private static IEnumerable<char> Range(char first, char last) =>
        Enumerable.Range(first, last - first + 1).Select(code => (char)code);
}
