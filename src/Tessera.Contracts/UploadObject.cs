using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>OpenAI's Upload object. <c>file</c> is absent until the upload is completed.</summary>
/// <remarks>
/// Reads are lenient, as every type here: unknown fields are ignored and a <see cref="Purpose"/> or
/// <see cref="Status"/> this version does not know is kept as the string the server sent.
/// </remarks>
public sealed record UploadObject
{
    [JsonPropertyName("id")]
    public string Id { get; init; } = "";

    [JsonPropertyName("bytes")]
    public long Bytes { get; init; }

    [JsonPropertyName("created_at")]
    public long CreatedAt { get; init; }

    [JsonPropertyName("filename")]
    public string Filename { get; init; } = "";

    [JsonPropertyName("purpose")]
    public string Purpose { get; init; } = "";

    /// <summary><c>pending</c>, <c>completed</c>, <c>cancelled</c> or <c>expired</c> (see <see cref="UploadStatuses"/>).</summary>
    [JsonPropertyName("status")]
    public string Status { get; init; } = "";

    [JsonPropertyName("expires_at")]
    public long ExpiresAt { get; init; }

    /// <summary>The file made at completion; null (and absent on the wire) until then.</summary>
    [JsonPropertyName("file")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FileObject? File { get; init; }

    [JsonPropertyName("object")]
    public string Object { get; init; } = "upload";
}
