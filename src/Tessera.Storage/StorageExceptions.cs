namespace Tessera.Storage;

/// <summary>
/// A store could not do what was asked. Every backend reports its failures as one of these subclasses, so the host
/// decides what a client is told without knowing any backend's own exception types.
/// </summary>
public abstract class StorageException(string message, Exception? innerException) : Exception(message, innerException);

/// <summary>The blob that a record names is not in the blob store.</summary>
public sealed class BlobNotFoundException(string blobKey, Exception? innerException = null)
    : StorageException($"Blob {blobKey} is not in the blob store.", innerException)
{
    public string BlobKey { get; } = blobKey;
}

/// <summary>The store has no room for a write (disk full, quota of the volume or bucket). The write left nothing behind.</summary>
public sealed class StorageFullException(string message, Exception? innerException = null)
    : StorageException(message, innerException);

/// <summary>
/// The store cannot be reached or did not answer in time (a database restarting, an object store unreachable).
/// Nothing was changed, or the change is atomic and did not happen; the request may be tried again later.
/// </summary>
public sealed class StoreUnavailableException(StoreKind store, string message, Exception? innerException = null)
    : StorageException(message, innerException)
{
    public StoreKind Store { get; } = store;
}

/// <summary>Which of the two stores a failure concerns, as health reports and error messages name it.</summary>
public enum StoreKind
{
    Metadata,
    Blobs,
}
