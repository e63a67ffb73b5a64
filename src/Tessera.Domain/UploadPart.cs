namespace Tessera.Domain;

/// <summary>One part of an upload, durable once stored. Its bytes live in the blob named <see cref="BlobKey"/>.</summary>
public sealed record UploadPart
{
    public required string Id { get; init; }
    public required string UploadId { get; init; }
    public required long Bytes { get; init; }
    public required long CreatedAt { get; init; }
    public required string BlobKey { get; init; }

    /// <summary>Lower-case hex MD5 of the part's bytes, where one is known (parts stored before CRC32C may have one); never computed now.</summary>
    public string? Md5 { get; init; }

    /// <summary>The CRC32C of the part's bytes, computed as they were stored; null for a part stored before checksums were kept.</summary>
    public uint? Crc32C { get; init; }
}
