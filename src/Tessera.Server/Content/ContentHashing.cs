using System.Buffers;
using System.Security.Cryptography;
using Tessera.Contracts;

namespace Tessera.Server.Content;

/// <summary>Hashes content in one pass of large reads.</summary>
internal static class ContentHashing
{
    private const int BufferBytes = 1 << 20;

    public static async Task<byte[]> Md5Async(Stream content, CancellationToken cancellationToken)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        await ReadAllAsync(content, md5.AppendData, cancellationToken);
        return md5.GetHashAndReset();
    }

    public static async Task<uint> Crc32CAsync(Stream content, CancellationToken cancellationToken)
    {
        var crc = Crc32C.Create();
        await ReadAllAsync(content, crc.Append, cancellationToken);
        return crc.GetCurrentHashAsUInt32();
    }

    private static async Task ReadAllAsync(Stream content, Action<ReadOnlySpan<byte>> append, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferBytes), cancellationToken)) > 0)
            {
                append(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
