using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>A page of a list, as OpenAI's cursor-paged endpoints answer. <c>first_id</c> and <c>last_id</c> are null on an empty page.</summary>
public sealed record ListObject<T>
{
    [JsonPropertyName("data")]
    public IReadOnlyList<T> Data { get; init; } = [];

    [JsonPropertyName("has_more")]
    public bool HasMore { get; init; }

    [JsonPropertyName("first_id")]
    public string? FirstId { get; init; }

    [JsonPropertyName("last_id")]
    public string? LastId { get; init; }

    [JsonPropertyName("object")]
    public string Object { get; init; } = "list";
}
