namespace Tessera.Storage.FileSystem;

/// <summary>
/// Turns a failure of the store's own disk into the contract's exceptions, so that the host never sees an
/// <see cref="IOException"/> of ours and cannot mistake it for one of a client's request body.
/// </summary>
internal static class DiskFailures
{
    // ENOSPC and EDQUOT on Linux; ERROR_DISK_FULL and ERROR_HANDLE_DISK_FULL on Windows. .NET puts the errno (or the
    // Win32 error) in the low 16 bits of HResult.
    private static readonly int[] NoSpaceErrors = [28, 122, 0x70, 0x27];

    /// <summary>Whether <paramref name="exception"/> is the disk's own failure (rather than a bug or a cancellation).</summary>
    public static bool IsDiskFailure(Exception exception) => exception is IOException or UnauthorizedAccessException;

    /// <summary>A write failed on the disk: full, or unusable.</summary>
    public static StorageException OfWrite(Exception exception) =>
        exception is IOException io && NoSpaceErrors.Contains(io.HResult & 0xFFFF)
            ? new StorageFullException($"The blob store's disk has no room left: {io.Message}", io)
            : Unavailable(exception);

    /// <summary>The disk could not be read, listed or written for another reason than lack of space.</summary>
    public static StoreUnavailableException Unavailable(Exception exception) =>
        new(StoreKind.Blobs, $"The blob store's folder cannot be used: {exception.Message}", exception);
}
