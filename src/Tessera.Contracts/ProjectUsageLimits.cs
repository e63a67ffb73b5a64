using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>The project's quotas; null is no limit.</summary>
public sealed record ProjectUsageLimits
{
    [JsonPropertyName("bytes")]
    public long? Bytes { get; init; }

    [JsonPropertyName("files")]
    public long? Files { get; init; }

    [JsonPropertyName("pending_uploads")]
    public long? PendingUploads { get; init; }
}
