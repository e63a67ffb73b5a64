namespace Tessera.Storage;

/// <summary>What a blob's bytes belong to: a file's content or a part of a pending upload.</summary>
public enum BlobOwner
{
    File,
    Upload,
}

/// <summary>
/// A blob that a file's content or a pending upload's part names, with the size and CRC32C recorded when it was stored
/// (<see cref="Crc32C"/> is null for a blob stored before checksums were kept). <see cref="OwnerId"/> is the file's or
/// the upload's id.
/// </summary>
public sealed record RecordedBlob(string BlobKey, long Bytes, uint? Crc32C, BlobOwner Owner, string OwnerId);
