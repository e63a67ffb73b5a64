namespace Tessera.Domain;

/// <summary>A file's metadata. Its bytes are <see cref="FileSegment"/>s: the blobs of its parts, in order, so completing an upload copies no bytes.</summary>
public sealed record StoredFile
{
    public required string Id { get; init; }
    public required string ProjectId { get; init; }
    public required string Filename { get; init; }
    public required string Purpose { get; init; }
    public required long Bytes { get; init; }
    public required long CreatedAt { get; init; }

    /// <summary>When the file stops existing; null for never.</summary>
    public long? ExpiresAt { get; init; }

    /// <summary>
    /// The CRC32C of the file's bytes: computed as a file sent whole was stored, or combined from its parts' checksums;
    /// null for a file stored before checksums were kept.
    /// </summary>
    public uint? Crc32C { get; init; }

    public bool IsExpiredAt(long now) => ExpiresAt is { } expiresAt && now >= expiresAt;
}

/// <summary>One stretch of a file's bytes: a whole blob, and its CRC32C when one was recorded.</summary>
public sealed record FileSegment(string BlobKey, long Bytes, uint? Crc32C = null);
