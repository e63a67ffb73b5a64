using System.Text.Json.Serialization;

namespace Tessera.Client;

/// <summary>
/// What an interrupted chunked upload needs to continue: which upload it fills, with which part size, and which
/// part id the server gave each part index. Kept as a small JSON file (see <see cref="ResumeStateStore"/>).
/// </summary>
internal sealed class ResumeState
{
    [JsonPropertyName("upload_id")]
    public string UploadId { get; set; } = "";

    [JsonPropertyName("base_url")]
    public string BaseUrl { get; set; } = "";

    [JsonPropertyName("path")]
    public string Path { get; set; } = "";

    [JsonPropertyName("bytes")]
    public long Bytes { get; set; }

    [JsonPropertyName("modified_utc_ticks")]
    public long ModifiedUtcTicks { get; set; }

    [JsonPropertyName("part_size")]
    public int PartSize { get; set; }

    /// <summary>Whether the server announced CRC32C checks when the upload was created: parts then go with their CRC32C.</summary>
    [JsonPropertyName("crc32c")]
    public bool ServerChecksCrc32C { get; set; }

    /// <summary>Part index to part id, for every part the server acknowledged.</summary>
    [JsonPropertyName("parts")]
    public Dictionary<int, string> Parts { get; set; } = [];
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(ResumeState))]
internal sealed partial class ResumeStateJsonContext : JsonSerializerContext;
