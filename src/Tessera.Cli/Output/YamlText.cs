using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;

namespace Tessera.Cli.Output;

/// <summary>
/// Writes a JSON value as block-style YAML (YamlDotNet), quoting strings that YAML would read as another type, and a
/// JSON null as <c>null</c>.
/// </summary>
internal static class YamlText
{
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithQuotingNecessaryStrings()
        .DisableAliases()
        .WithEventEmitter(next => new NullAsNullEmitter(next))
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

    /// <summary>
    /// YamlDotNet writes a null as an empty value (<c>file:</c>), which YAML reads back as null but a reader of the
    /// output takes for a missing value; JSON's <c>null</c> stays visible as YAML's own <c>null</c>.
    /// </summary>
    private sealed class NullAsNullEmitter(IEventEmitter next) : ChainedEventEmitter(next)
    {
        public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
        {
            if (eventInfo.Source.Value is null)
            {
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, "null", ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                return;
            }

            base.Emit(eventInfo, emitter);
        }
    }
}
