using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Tessera.Domain;

namespace Tessera.Server.Http;

/// <summary>
/// A strict JSON request body, as OpenAI reads them: an object, no unknown or repeated properties, every field of the
/// type its schema says. Each failure is a 400 that names the field.
/// </summary>
internal sealed class JsonRequest : IDisposable
{
    private const string UnparsableMessage =
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. " +
        "The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)";

    private readonly JsonDocument _document;

    private JsonRequest(JsonDocument document) => _document = document;

    private JsonElement Root => _document.RootElement;

    /// <summary>Reads the body (at most <paramref name="maxBytes"/>) as a JSON object whose properties are all in <paramref name="allowed"/>.</summary>
    public static async Task<JsonRequest> ReadObjectAsync(HttpRequest request, int maxBytes, IReadOnlyCollection<string> allowed, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            var memory = buffer.GetMemory(16 * 1024);
            var read = await request.Body.ReadAsync(memory, cancellationToken);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes)
            {
                throw TooLarge(maxBytes);
            }
        }

        // The parser checks structure, not the bytes inside strings: without this, a name that is not UTF-8 would fail
        // later, as a 500, when it is read.
        if (!Utf8.IsValid(buffer.WrittenSpan))
        {
            throw ApiErrors.InvalidBody("The JSON body is not valid UTF-8. Send JSON text encoded as UTF-8.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 16 });
        }
        catch (JsonException)
        {
            throw ApiErrors.InvalidBody(UnparsableMessage);
        }

        var body = new JsonRequest(document);
        try
        {
            if (body.Root.ValueKind != JsonValueKind.Object)
            {
                throw ApiErrors.InvalidBody($"The JSON body must be an object, not {Describe(body.Root)}.");
            }

            foreach (var property in body.Root.EnumerateObject())
            {
                if (!allowed.Contains(property.Name))
                {
                    throw ApiErrors.InvalidField(property.Name, $"Additional properties are not allowed ('{Shorten(property.Name)}' was unexpected)");
                }
            }

            return body;
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    public string RequiredString(string name) =>
        OptionalString(name) ?? throw Missing(name);

    public string? OptionalString(string name) =>
        Property(name) is not { } value ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()!
        : throw WrongType(value, "string", name);

    public long RequiredInteger(string name)
    {
        var value = Property(name) ?? throw Missing(name);
        return IntegerOf(value, name);
    }

    public IReadOnlyList<string> RequiredStringArray(string name)
    {
        var value = Property(name) ?? throw Missing(name);
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw WrongType(value, "array", name);
        }

        var items = new List<string>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            items.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw WrongType(item, "string", $"{name}[{items.Count}]", name));
        }

        return items;
    }

    /// <summary>An optional nested object whose properties are all in <paramref name="allowed"/>; null when absent or JSON null.</summary>
    public JsonElement? OptionalObject(string name, IReadOnlyCollection<string> allowed)
    {
        if (Property(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw WrongType(value, "object", name);
        }

        foreach (var property in value.EnumerateObject())
        {
            if (!allowed.Contains(property.Name))
            {
                throw ApiErrors.InvalidField($"{name}.{property.Name}", $"Additional properties are not allowed ('{Shorten(property.Name)}' was unexpected) - '{name}'");
            }
        }

        return value;
    }

    /// <summary>Reads a required property of a nested object, named <c>outer.inner</c> in errors.</summary>
    public static JsonElement RequiredProperty(JsonElement obj, string outer, string inner) =>
        obj.TryGetProperty(inner, out var value) && value.ValueKind != JsonValueKind.Null ? value : throw Missing($"{outer}.{inner}");

    public static string StringOf(JsonElement value, string param) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw WrongType(value, "string", param);

    public static long IntegerOf(JsonElement value, string param)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw WrongType(value, "integer", param);
        }

        if (value.TryGetInt64(out var integer))
        {
            return integer;
        }

        // A whole number too large for 64 bits, or a fraction: say which.
        throw value.TryGetDecimal(out var number) && decimal.Truncate(number) == number
            ? ApiErrors.InvalidField(param, $"{Shorten(value.GetRawText())} is out of range - '{param}'")
            : WrongType(value, "integer", param);
    }

    public void Dispose() => _document.Dispose();

    private JsonElement? Property(string name) =>
        Root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static TesseraException TooLarge(int maxBytes) =>
        ApiErrors.InvalidBody($"The JSON body is larger than {TesseraLimits.Describe(maxBytes)}.");

    private static TesseraException Missing(string name) =>
        ApiErrors.InvalidField(name, $"Missing required parameter: '{name}'.");

    private static TesseraException WrongType(JsonElement value, string expected, string path, string? param = null) =>
        ApiErrors.InvalidField(param ?? path, $"{Shorten(value.GetRawText())} is not of type '{expected}' - '{path}'");

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        _ => "a boolean",
    };

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "...";
}
