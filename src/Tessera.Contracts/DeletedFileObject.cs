using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>The answer to <c>DELETE /files/{id}</c>.</summary>
public sealed record DeletedFileObject
{
    [JsonPropertyName("id")]
    public string Id { get; init; } = "";

    [JsonPropertyName("object")]
    public string Object { get; init; } = "file";

    [JsonPropertyName("deleted")]
    public bool Deleted { get; init; }
}
