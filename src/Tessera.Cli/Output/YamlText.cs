using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Tessera.Cli.Output;

/// <summary>
/// Writes a JSON value as block-style YAML: mappings and sequences on their own lines, a JSON null as <c>null</c>,
/// numbers as JSON wrote them, and a string double-quoted whenever YAML could read it plain as anything else (a
/// null, a boolean, a number, an indicator, a comment, a key). Written by hand over <see cref="JsonElement"/> because
/// the answer is JSON already: a YAML serializer would need reflection over types we do not have.
/// </summary>
internal static class YamlText
{
    private const string IndicatorsAtStart = "-?:,[]{}#&*!|>'\"%@`";

    // What YAML 1.1 or 1.2 resolves as a null or a boolean when plain.
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", "<<", "=",
    };

    public static string From(JsonElement value)
    {
        var yaml = new StringBuilder();
        switch (value.ValueKind)
        {
            case JsonValueKind.Object when HasProperties(value):
                WriteMapping(yaml, value, indent: 0, firstLineStarted: false);
                break;
            case JsonValueKind.Array when value.GetArrayLength() > 0:
                WriteSequence(yaml, value, indent: 0, firstLineStarted: false);
                break;
            default:
                yaml.Append(Scalar(value)).Append('\n');
                break;
        }

        return yaml.ToString();
    }

    private static void WriteMapping(StringBuilder yaml, JsonElement mapping, int indent, bool firstLineStarted)
    {
        var first = true;
        foreach (var property in mapping.EnumerateObject())
        {
            if (!first || !firstLineStarted)
            {
                yaml.Append(' ', indent);
            }

            first = false;
            yaml.Append(QuotedIfNeeded(property.Name)).Append(':');
            var child = property.Value;
            if (child.ValueKind == JsonValueKind.Object && HasProperties(child))
            {
                yaml.Append('\n');
                WriteMapping(yaml, child, indent + 2, firstLineStarted: false);
            }
            else if (child.ValueKind == JsonValueKind.Array && child.GetArrayLength() > 0)
            {
                // A sequence under a key sits at the key's own indentation, as most YAML writers put it.
                yaml.Append('\n');
                WriteSequence(yaml, child, indent, firstLineStarted: false);
            }
            else
            {
                yaml.Append(' ').Append(Scalar(child)).Append('\n');
            }
        }
    }

    private static void WriteSequence(StringBuilder yaml, JsonElement sequence, int indent, bool firstLineStarted)
    {
        var first = true;
        foreach (var item in sequence.EnumerateArray())
        {
            if (!first || !firstLineStarted)
            {
                yaml.Append(' ', indent);
            }

            first = false;
            yaml.Append("- ");
            if (item.ValueKind == JsonValueKind.Object && HasProperties(item))
            {
                WriteMapping(yaml, item, indent + 2, firstLineStarted: true);
            }
            else if (item.ValueKind == JsonValueKind.Array && item.GetArrayLength() > 0)
            {
                WriteSequence(yaml, item, indent + 2, firstLineStarted: true);
            }
            else
            {
                yaml.Append(Scalar(item)).Append('\n');
            }
        }
    }

    /// <summary>A value written on its key's or dash's line: a scalar, or an empty mapping or sequence in flow style.</summary>
    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => QuotedIfNeeded(value.GetString()!),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Object => "{}",
        JsonValueKind.Array => "[]",
        _ => "null",
    };

    private static bool HasProperties(JsonElement mapping) => mapping.EnumerateObject().MoveNext();

    private static string QuotedIfNeeded(string text) => CanBePlain(text) ? text : DoubleQuoted(text);

    private static bool CanBePlain(string text)
    {
        if (text.Length == 0 || Reserved.Contains(text) || LooksLikeNumber(text))
        {
            return false;
        }

        if (IndicatorsAtStart.Contains(text[0], StringComparison.Ordinal) || text[0] == ' ' || text[^1] == ' ' || text[^1] == ':')
        {
            return false;
        }

        if (text.Contains(": ", StringComparison.Ordinal) || text.Contains(" #", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var character in text)
        {
            if (char.IsControl(character) || char.IsSurrogate(character) || character is '\u2028' or '\u2029' or '\uFEFF')
            {
                return false;
            }
        }

        return true;
    }

    // Wider than any YAML schema's number (it also quotes "1st" or "0x1F"): a reader never takes such a string for a number.
    private static bool LooksLikeNumber(string text)
    {
        var start = text[0] is '+' or '-' ? 1 : 0;
        if (start == text.Length)
        {
            return false;
        }

        var first = text[start];
        return char.IsAsciiDigit(first)
            || (first == '.' && (start + 1 == text.Length || char.IsAsciiDigit(text[start + 1]) || char.IsAsciiLetter(text[start + 1])));
    }

    private static string DoubleQuoted(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        for (var i = 0; i < text.Length; i++)
        {
            var character = text[i];
            switch (character)
            {
                case '"':
                    quoted.Append("\\\"");
                    break;
                case '\\':
                    quoted.Append("\\\\");
                    break;
                case '\n':
                    quoted.Append("\\n");
                    break;
                case '\r':
                    quoted.Append("\\r");
                    break;
                case '\t':
                    quoted.Append("\\t");
                    break;
                case var _ when char.IsHighSurrogate(character) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]):
                    quoted.Append(character).Append(text[++i]);
                    break;
                case var _ when char.IsControl(character) || char.IsSurrogate(character) || character is '\u2028' or '\u2029' or '\uFEFF':
                    quoted.Append("\\u").Append(((int)character).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    quoted.Append(character);
                    break;
            }
        }

        return quoted.Append('"').ToString();
    }
}
