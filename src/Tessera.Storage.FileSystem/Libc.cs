using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tessera.Storage.FileSystem;

/// <summary>The few libc calls the file-system blob store needs that .NET does not expose. Linux only.</summary>
internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int Control(SafeFileHandle fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int Fsync(SafeFileHandle fd);

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int SyncFileRange(SafeFileHandle fd, long offset, long nbytes, uint flags);
}
