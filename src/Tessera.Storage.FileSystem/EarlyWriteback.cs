using Microsoft.Win32.SafeHandles;

namespace Tessera.Storage.FileSystem;

/// <summary>
/// Asks Linux to start writing a file's dirty pages to disk while the rest is still arriving, so the fsync that makes
/// a blob durable finds little left to do. Without it, every part's 64 MiB went to disk only at its fsync, after it had
/// all arrived, and ingest waited for the disk (see docs/benchmarks.md). Elsewhere, and on any error, it does nothing:
/// the fsync alone still makes the blob durable.
/// </summary>
internal static class EarlyWriteback
{
    private const uint SyncFileRangeWrite = 2;

    /// <summary>Starts writeback of <paramref name="length"/> bytes at <paramref name="offset"/>; returns at once.</summary>
    public static void Start(SafeFileHandle file, long offset, long length)
    {
        if (OperatingSystem.IsLinux())
        {
            _ = Libc.SyncFileRange(file, offset, length, SyncFileRangeWrite);
        }
    }
}
