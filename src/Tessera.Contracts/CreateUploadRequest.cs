using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>The body of <c>POST /uploads</c>.</summary>
public sealed record CreateUploadRequest
{
    [JsonPropertyName("filename")]
    public required string Filename { get; init; }

    /// <summary><c>assistants</c>, <c>batch</c>, <c>fine-tune</c>, <c>vision</c>, <c>user_data</c> or <c>evals</c>.</summary>
    [JsonPropertyName("purpose")]
    public required string Purpose { get; init; }

    /// <summary>The size of the whole file; the parts named at completion must add up to it.</summary>
    [JsonPropertyName("bytes")]
    public required long Bytes { get; init; }

    [JsonPropertyName("mime_type")]
    public required string MimeType { get; init; }

    /// <summary>Governs the File made at completion; absent from the body when null.</summary>
    [JsonPropertyName("expires_after")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ExpiresAfter? ExpiresAfter { get; init; }
}
