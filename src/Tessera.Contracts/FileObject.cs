using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>OpenAI's File object. Every key is always present on the wire; <c>expires_at</c> is null for a file that does not expire.</summary>
public sealed record FileObject
{
    [JsonPropertyName("id")]
    public string Id { get; init; } = "";

    [JsonPropertyName("bytes")]
    public long Bytes { get; init; }

    [JsonPropertyName("created_at")]
    public long CreatedAt { get; init; }

    [JsonPropertyName("expires_at")]
    public long? ExpiresAt { get; init; }

    [JsonPropertyName("filename")]
    public string Filename { get; init; } = "";

    /// <summary>Kept as sent: OpenAI also answers purposes a client cannot upload, such as <c>batch_output</c>.</summary>
    [JsonPropertyName("purpose")]
    public string Purpose { get; init; } = "";

    [JsonPropertyName("object")]
    public string Object { get; init; } = "file";

    /// <summary>Always <c>processed</c> from Tessera; OpenAI's deprecated field.</summary>
    [JsonPropertyName("status")]
    public string Status { get; init; } = "processed";

    [JsonPropertyName("status_details")]
    public string? StatusDetails { get; init; }
}
