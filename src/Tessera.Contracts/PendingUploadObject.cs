using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>
/// One upload as <c>GET /uploads</c> lists it (Tessera's extension): the Upload object as <c>GET /uploads/{id}</c>
/// answers it for a pending upload, plus <see cref="ReceivedBytes"/>, so a list can show each upload's progress
/// without a request per upload.
/// </summary>
public sealed record PendingUploadObject
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

    /// <summary>Always <c>pending</c> in the list; kept as sent, as every status here.</summary>
    [JsonPropertyName("status")]
    public string Status { get; init; } = "";

    [JsonPropertyName("expires_at")]
    public long ExpiresAt { get; init; }

    /// <summary>The sum of the bytes of the parts the server holds for the upload (parts not yet named by a complete included).</summary>
    [JsonPropertyName("received_bytes")]
    public long ReceivedBytes { get; init; }

    [JsonPropertyName("object")]
    public string Object { get; init; } = "upload";
}
