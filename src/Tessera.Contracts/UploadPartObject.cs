using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>OpenAI's Upload Part object: the answer to adding a part.</summary>
public sealed record UploadPartObject
{
    [JsonPropertyName("id")]
    public string Id { get; init; } = "";

    [JsonPropertyName("created_at")]
    public long CreatedAt { get; init; }

    [JsonPropertyName("upload_id")]
    public string UploadId { get; init; } = "";

    [JsonPropertyName("object")]
    public string Object { get; init; } = "upload.part";
}
