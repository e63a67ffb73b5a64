using System.Text;

namespace Tessera.Server.Logging;

/// <summary>
/// A query string as logs and traces show it: each parameter's name with its value replaced, so a key a client put
/// in the URL (<c>?api_key=sk-...</c>) is never written anywhere. A parameter without <c>=</c> may be a value
/// itself and is replaced whole.
/// </summary>
internal static class QueryRedaction
{
    public const string Redacted = "[redacted]";

    /// <summary><c>?api_key=[redacted]&amp;limit=[redacted]</c>; the empty string when there is no query.</summary>
    public static string Redact(QueryString query)
    {
        if (!query.HasValue || query.Value!.Length <= 1)
        {
            return "";
        }

        var redacted = new StringBuilder(query.Value.Length);
        foreach (var parameter in query.Value.AsSpan(1).Split('&'))
        {
            var text = query.Value.AsSpan(1)[parameter];
            redacted.Append(redacted.Length == 0 ? '?' : '&');
            var equals = text.IndexOf('=');
            if (equals >= 0)
            {
                redacted.Append(text[..(equals + 1)]);
            }

            redacted.Append(Redacted);
        }

        return redacted.ToString();
    }
}
