using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tessera.Storage.FileSystem;

/// <summary>
/// Writes that bypass the page cache (Linux <c>O_DIRECT</c>): the disk reads straight from our buffer. Copying every
/// byte into the page cache was most of the server's CPU time on ingest (see docs/benchmarks.md), and a blob is fsynced
/// before its part is acknowledged anyway, so the cache bought nothing. Where the platform or the file system does not
/// support it (tmpfs, other kernels, other architectures), <see cref="TryCreate"/> answers null and the caller writes
/// through the page cache as usual.
/// </summary>
internal static class DirectIo
{
    /// <summary>Offsets, lengths and buffer addresses of direct writes must be multiples of this.</summary>
    public const int Alignment = 4096;

    // Linux x86-64 values; other architectures number O_DIRECT differently, so they are not attempted.
    private const int OWriteOnly = 0x1;
    private const int OCreate = 0x40;
    private const int OExclusive = 0x80;
    private const int ODirect = 0x4000;
    private const int OCloseOnExec = 0x80000;
    private const int FGetFlags = 3;
    private const int FSetFlags = 4;

    public static bool IsSupportedPlatform =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    /// <summary>Creates <paramref name="path"/> for direct writes; null when direct I/O is not available there.</summary>
    public static SafeFileHandle? TryCreate(string path)
    {
        if (!IsSupportedPlatform)
        {
            return null;
        }

        var fd = Libc.Open(path, OWriteOnly | OCreate | OExclusive | ODirect | OCloseOnExec, Convert.ToInt32("644", 8));
        if (fd >= 0)
        {
            return new SafeFileHandle(fd, ownsHandle: true);
        }

        // EINVAL: the file system refuses O_DIRECT. Anything else (EEXIST, EACCES, ENOSPC) the ordinary path reports.
        return null;
    }

    /// <summary>Turns direct I/O off for the rest of the file, so a tail that is not a multiple of <see cref="Alignment"/> can be written.</summary>
    public static void EndDirectWrites(SafeFileHandle file)
    {
        var flags = Libc.Control(file, FGetFlags, 0);
        if (flags < 0 || Libc.Control(file, FSetFlags, flags & ~ODirect) < 0)
        {
            throw new IOException($"fcntl failed to clear O_DIRECT (errno {Marshal.GetLastPInvokeError()}).");
        }
    }
}

