namespace Tessera.Storage;

/// <summary>
/// Where bytes live: blobs named by a key, written once from a stream, read by range, deleted. A blob is either
/// wholly there or not there at all.
/// </summary>
public interface IBlobStore
{
    /// <summary>
    /// Reads <paramref name="content"/> to its end into a new blob named <paramref name="key"/> and makes it durable
    /// before returning its length and CRC32C, computed over the bytes as they were written. When reading or writing fails (the source throws, the client is gone, the disk is
    /// full), nothing is left behind and the exception propagates: the source's own, or a
    /// <see cref="StorageFullException"/> or <see cref="StoreUnavailableException"/> from the store.
    /// </summary>
    Task<WrittenBlob> WriteAsync(string key, Stream content, CancellationToken cancellationToken);

    /// <summary>
    /// Opens the blob for reading from <paramref name="offset"/> on. Throws <see cref="BlobNotFoundException"/>
    /// when there is no such blob.
    /// </summary>
    Task<Stream> OpenReadAsync(string key, long offset, CancellationToken cancellationToken);

    /// <summary>Deletes the blob; deleting one that is not there is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Every blob stored, for reconciliation with the metadata.</summary>
    IAsyncEnumerable<StoredBlob> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Deletes what writes that never finished (a crash mid-write) left behind, if last touched before
    /// <paramref name="olderThan"/>; returns how many.
    /// </summary>
    Task<int> DeleteUnfinishedAsync(DateTimeOffset olderThan, CancellationToken cancellationToken);

    /// <summary>Throws <see cref="StoreUnavailableException"/> when the store cannot be written to.</summary>
    Task CheckHealthAsync(CancellationToken cancellationToken);
}

/// <summary>A blob just written: its length and the CRC32C of its bytes.</summary>
public readonly record struct WrittenBlob(long Bytes, uint Crc32C);

/// <summary>A blob found in the store, and its size in bytes.</summary>
public sealed record StoredBlob(string Key, DateTimeOffset LastWritten, long Bytes);
