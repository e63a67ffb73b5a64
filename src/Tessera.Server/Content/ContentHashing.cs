using System.Buffers;
using System.Security.Cryptography;

namespace Tessera.Server.Content;

/// <summary>Hashes content in one pass of large reads.</summary>
internal static class ContentHashing
{
    private const int BufferBytes = 1 << 20;

    public static async Task<byte[]> Md5Async(Stream content, CancellationToken cancellationToken)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferBytes), cancellationToken)) > 0)
            {
                md5.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return md5.GetHashAndReset();
    }
}
