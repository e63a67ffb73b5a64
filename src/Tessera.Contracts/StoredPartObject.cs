using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>
/// One part as <c>GET /uploads/{id}/parts</c> lists it (Tessera's extension): with its size and checksums, so a client can
/// resume an interrupted upload without sending the same bytes again.
/// </summary>
public sealed record StoredPartObject
{
    [JsonPropertyName("id")]
    public string Id { get; init; } = "";

    [JsonPropertyName("created_at")]
    public long CreatedAt { get; init; }

    [JsonPropertyName("upload_id")]
    public string UploadId { get; init; } = "";

    [JsonPropertyName("bytes")]
    public long Bytes { get; init; }

    /// <summary>
    /// The CRC32C of the part's bytes, as the <c>x-tessera-checksum-crc32c</c> header writes it (<see cref="Crc32C.ToHeaderValue"/>);
    /// null for a part stored before checksums were kept.
    /// </summary>
    [JsonPropertyName("crc32c")]
    public string? Crc32C { get; init; }

    /// <summary>Lower-case hex MD5 of the part's bytes where one is known (only parts stored before CRC32C may have one); otherwise null.</summary>
    [JsonPropertyName("md5")]
    public string? Md5 { get; init; }

    [JsonPropertyName("object")]
    public string Object { get; init; } = "upload.part";
}
