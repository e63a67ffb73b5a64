using System.Diagnostics;

namespace Tessera.Storage.Tests.Infrastructure;

/// <summary>
/// A tmpfs of a few megabytes mounted for one test, to fill a disk for real. Needs Linux and root (CI runs as root);
/// <see cref="MountAsync"/> skips the test with the reason when the mount is refused.
/// </summary>
internal sealed class SmallDisk : IAsyncDisposable
{
    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    public static async Task<SmallDisk> MountAsync(int megabytes)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "A small disk is a tmpfs, which needs Linux.");
        var path = Directory.CreateTempSubdirectory("tessera-small-disk-").FullName;
        var (exitCode, error) = await RunAsync("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", path);
        if (exitCode != 0)
        {
            Directory.Delete(path);
            Assert.Skip($"Mounting a tmpfs was refused (it needs root): {error.Trim()}");
        }

        return new SmallDisk(path);
    }

    /// <summary>Writes a file at <paramref name="path"/> until the disk has no room left.</summary>
    public static void Fill(string path)
    {
        using var filler = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        var chunk = new byte[64 << 10];
        try
        {
            while (true)
            {
                filler.Write(chunk);
            }
        }
        catch (IOException)
        {
            // Full: the point.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await RunAsync("umount", "-l", Path);
        Directory.Delete(Path, recursive: true);
    }

    private static async Task<(int ExitCode, string Error)> RunAsync(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, error);
    }
}
