using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tessera.Cli.Output;

/// <summary>
/// How an error answer is told, as the OpenAI CLI tells it: <c>METHOD "URL": STATUS Reason</c> on a line, then the
/// <c>error</c> object in the <c>--format-error</c> format (the whole body when it holds no such object).
/// </summary>
internal static class ApiErrorReport
{
    public static void Write(TextWriter stderr, JsonDocumentWriter errorWriter, HttpMethod method, Uri url, HttpStatusCode status, string? reasonPhrase, string body)
    {
        stderr.WriteLine($"{method} {Quote(url.ToString())}: {(int)status} {StatusText.Of(status, reasonPhrase)}");
        if (ErrorObjectOf(body) is { } error && errorWriter.Format != OutputFormat.Raw)
        {
            errorWriter.WriteValue(error, "Error");
        }
        else if (body.Length > 0)
        {
            stderr.WriteLine(body.TrimEnd('\n'));
        }
    }

    private static JsonElement? ErrorObjectOf(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object
                ? error.Clone()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static readonly JsonWriterOptions QuoteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Go's %q: a double-quoted string with backslash escapes, which a JSON string is.
    private static string Quote(string text)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, QuoteOptions))
        {
            json.WriteStringValue(text);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
