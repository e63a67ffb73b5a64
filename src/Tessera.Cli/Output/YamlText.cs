using System.Text.Json;
using YamlDotNet.Serialization;

namespace Tessera.Cli.Output;

/// <summary>Writes a JSON value as block-style YAML (YamlDotNet), quoting strings that YAML would read as another type.</summary>
internal static class YamlText
{
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithQuotingNecessaryStrings()
        .DisableAliases()
        .Build();

    public static string From(JsonElement value) => Serializer.Serialize(ToPlainObject(value));

    // YamlDotNet serializes dictionaries, lists and scalars; a JsonElement is none of those.
    private static object? ToPlainObject(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => value.EnumerateObject().ToDictionary(p => p.Name, p => ToPlainObject(p.Value)),
        JsonValueKind.Array => value.EnumerateArray().Select(ToPlainObject).ToList(),
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.TryGetInt64(out var integer) ? integer : value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
