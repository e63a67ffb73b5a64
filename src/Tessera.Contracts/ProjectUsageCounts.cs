using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>What a project holds now.</summary>
public sealed record ProjectUsageCounts
{
    /// <summary>The bytes of every stored part (of a pending upload) and of every file, a part that became a file counted once.</summary>
    [JsonPropertyName("bytes")]
    public long Bytes { get; init; }

    [JsonPropertyName("files")]
    public long Files { get; init; }

    [JsonPropertyName("pending_uploads")]
    public long PendingUploads { get; init; }
}
