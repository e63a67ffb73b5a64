using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Json;

namespace Tessera.Cli.Output;

/// <summary>
/// Prints JSON answers in one of the <see cref="OutputFormat"/>s: the command's result on standard output, an API
/// error's object on standard error. A list is printed item by item, as the OpenAI CLI does for its auto-paging lists.
/// </summary>
internal sealed class JsonDocumentWriter(TextWriter writer, string format, bool isTerminal)
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private int _written;

    public string Format { get; } = format;

    /// <summary>Prints one answer. <paramref name="body"/> is the response body as received; <paramref name="title"/> heads the pretty view.</summary>
    public void WriteBody(string body, string title)
    {
        if (Format == OutputFormat.Raw)
        {
            writer.WriteLine(body.TrimEnd('\n'));
            return;
        }

        using var document = JsonDocument.Parse(body);
        WriteValue(document.RootElement, title);
    }

    /// <summary>Prints one value (an item of a list, or a whole object).</summary>
    public void WriteValue(JsonElement value, string title)
    {
        switch (Format)
        {
            case OutputFormat.JsonLines:
            case OutputFormat.Raw:
                writer.WriteLine(Serialize(value, Compact));
                break;
            case OutputFormat.Yaml:
                // Several values make a YAML stream of several documents.
                if (_written > 0)
                {
                    writer.WriteLine("---");
                }

                writer.Write(YamlText.From(value));
                break;
            case OutputFormat.Pretty:
                WritePretty(value, title);
                break;
            default:
                writer.WriteLine(Serialize(value, Indented));
                break;
        }

        _written++;
    }

    private void WritePretty(JsonElement value, string title)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Write(new Panel(new JsonText(Serialize(value, Indented)))
            .Header(Markup.Escape(title))
            .Border(BoxBorder.Rounded)
            .Expand());
    }

    private static string Serialize(JsonElement value, JsonWriterOptions options)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, options))
        {
            value.WriteTo(json);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
