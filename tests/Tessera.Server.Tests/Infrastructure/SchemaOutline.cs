using Microsoft.OpenApi;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// A schema written out as lines (<c>Upload.status: string enum cancelled, completed, expired, pending</c>), after
/// resolving <c>$ref</c>s and reading OpenAPI 3.0's <c>nullable</c>, 3.1's <c>null</c> type and a composition of a
/// schema with a null-only member alike, so two documents' schemas compare with a readable difference. Only what the
/// wire shape depends on: properties, their types, required lists and enumerations; not descriptions or formats.
/// Each line is named from the nearest component (<c>Upload.file</c>, then <c>OpenAIFile.id</c> inside it).
/// </summary>
public static class SchemaOutline
{
    private const int MaxDepth = 6;

    /// <summary>
    /// The outline of <paramref name="schema"/>, its lines named from <paramref name="name"/>; it leaves out the
    /// nullability of the lines named in <paramref name="nullableOnlyHere"/> and, per line, the enumeration values of
    /// <paramref name="extraEnumValues"/> (the differences the caller knows of and accepts).
    /// </summary>
    public static IReadOnlyList<string> Of(IOpenApiSchema schema, string name, IReadOnlySet<string>? nullableOnlyHere = null, IReadOnlyDictionary<string, string[]>? extraEnumValues = null)
    {
        var lines = new List<string>();
        Write(schema, name, name, lines, nullableOnlyHere ?? new HashSet<string>(), extraEnumValues ?? new Dictionary<string, string[]>(), 0);
        return lines;
    }

    private static void Write(IOpenApiSchema schema, string line, string owner, List<string> lines, IReadOnlySet<string> nullableOnlyHere, IReadOnlyDictionary<string, string[]> extraEnumValues, int depth)
    {
        var (target, nullable) = Unwrap(schema);
        var named = line;
        if (target is OpenApiSchemaReference reference && reference.Reference.Id is { } id)
        {
            owner = id;
            named = id;
        }

        var type = TypeOf(target);
        var enumValues = target.Enum?.Select(value => value?.ToString() ?? "null").Where(value => !extraEnumValues.GetValueOrDefault(line, []).Contains(value)).Order(StringComparer.Ordinal).ToList();
        var text = $"{line}: {type}";
        if (nullable && !nullableOnlyHere.Contains(line))
        {
            text += " nullable";
        }

        if (enumValues is { Count: > 0 })
        {
            text += " enum " + string.Join(", ", enumValues);
        }

        lines.Add(text);
        if (depth >= MaxDepth)
        {
            return;
        }

        if (target.Properties is { Count: > 0 } properties)
        {
            lines.Add($"{named} required: " + string.Join(", ", (target.Required ?? new HashSet<string>()).Order(StringComparer.Ordinal)));
            foreach (var (name, property) in properties.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                Write(property, $"{owner}.{name}", owner, lines, nullableOnlyHere, extraEnumValues, depth + 1);
            }
        }

        if (target.Items is { } items)
        {
            Write(items, line + "[]", owner, lines, nullableOnlyHere, extraEnumValues, depth + 1);
        }
    }

    /// <summary>
    /// The schema that carries the shape, and whether null is allowed: <c>allOf</c>/<c>oneOf</c>/<c>anyOf</c> of one
    /// real schema and members that only say null (3.1's <c>{"type": "null"}</c>, 3.0's <c>{"nullable": true}</c>).
    /// </summary>
    private static (IOpenApiSchema Target, bool Nullable) Unwrap(IOpenApiSchema schema)
    {
        var nullable = schema.Type is { } type && type.HasFlag(JsonSchemaType.Null);
        var members = (schema.AllOf ?? []).Concat(schema.OneOf ?? []).Concat(schema.AnyOf ?? []).ToList();
        if (members.Count == 0)
        {
            return (schema, nullable);
        }

        var real = members.Where(member => !SaysOnlyNull(member)).ToList();
        Assert.True(real.Count == 1, $"a composition of {real.Count} schemas is not outlined here");
        var (target, innerNullable) = Unwrap(real[0]);
        return (target, nullable || innerNullable || members.Any(SaysOnlyNull));
    }

    private static bool SaysOnlyNull(IOpenApiSchema member) =>
        member is not OpenApiSchemaReference
        && member.Properties is not { Count: > 0 } && member.Items is null && member.AllOf is not { Count: > 0 } && member.OneOf is not { Count: > 0 }
        && (member.Type is null or JsonSchemaType.Null);

    private static string TypeOf(IOpenApiSchema schema)
    {
        var type = schema.Type is { } declared ? declared & ~JsonSchemaType.Null : (JsonSchemaType)0;
        if (type == 0)
        {
            // OpenAI's OpenAIFile declares properties but no type.
            return schema.Properties is { Count: > 0 } ? "object" : "any";
        }

        return string.Join("|", Enum.GetValues<JsonSchemaType>().Where(flag => flag != JsonSchemaType.Null && type.HasFlag(flag)).Select(flag => flag.ToString().ToLowerInvariant()));
    }
}
