using System.Security.Cryptography;

namespace Tessera.Client.Tests.Infrastructure;

/// <summary>Files of random bytes in a temporary folder that goes away with the test.</summary>
public sealed class TestFiles : IDisposable
{
    public TestFiles() => Folder = Directory.CreateTempSubdirectory("tessera-client-test-").FullName;

    public string Folder { get; }

    /// <summary>A folder for resume state files, so tests never share the user's.</summary>
    public string StateFolder => Path.Combine(Folder, "state");

    public string Create(string name, long bytes, int seed = 1)
    {
        var path = Path.Combine(Folder, name);
        var random = new Random(seed);
        var block = new byte[1 << 20];
        using var file = File.Create(path);
        for (long written = 0; written < bytes; written += block.Length)
        {
            random.NextBytes(block);
            file.Write(block, 0, (int)Math.Min(block.Length, bytes - written));
        }

        return path;
    }

    public static string Md5Of(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(MD5.HashData(file));
    }

    /// <summary>The file's CRC32C in the header encoding.</summary>
    public static string Crc32COf(string path) => Tessera.Contracts.Crc32C.ToHeaderValue(Tessera.Contracts.Crc32C.Compute(File.ReadAllBytes(path)));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not a test failure.
        }
    }
}
