using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tessera.Storage.FileSystem;

/// <summary>
/// Flushes a directory to disk, which is what makes a rename into it durable: the blob's bytes were fsynced before
/// the rename, but the new name lives in the directory, and a crash before the directory reaches the disk can lose
/// it. .NET opens no handle on a directory, hence libc. On other systems it does nothing.
/// </summary>
internal static class DirectorySync
{
    // O_RDONLY is 0 and O_CLOEXEC is the same on every Linux architecture .NET runs on.
    private const int OReadOnlyCloseOnExec = 0x80000;

    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = Libc.Open(directory, OReadOnlyCloseOnExec, 0);
        if (fd < 0)
        {
            throw new IOException($"Could not open the directory '{directory}' to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (Libc.Fsync(handle) != 0)
        {
            throw new IOException($"Could not flush the directory '{directory}' to disk (errno {Marshal.GetLastPInvokeError()}).");
        }
    }
}
