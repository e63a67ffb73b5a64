namespace Tessera.Storage.FileSystem;

/// <summary>
/// Carries what the source stream of a write threw past the store's translation of disk failures: a client that
/// went away or sent a bad body must reach the host as itself, even when it is an <see cref="IOException"/> too.
/// <see cref="FileSystemBlobStore.WriteAsync"/> unwraps it and rethrows the original with its stack trace.
/// </summary>
internal sealed class SourceReadException(Exception sourceException) : Exception(sourceException.Message, sourceException)
{
    public Exception SourceException { get; } = sourceException;
}
