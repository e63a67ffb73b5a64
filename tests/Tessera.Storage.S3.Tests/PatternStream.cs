using System.Security.Cryptography;
using Tessera.Testing;

namespace Tessera.Storage.S3.Tests;

/// <summary>
/// A source as a request body is one: not seekable, of unknown length, handing out bytes in uneven chunks. Its bytes
/// follow from a seed, so a test can compute what a blob must hold without keeping it. It can fail partway, as a
/// client that drops its connection does.
/// </summary>
internal sealed class PatternStream(long length, int seed, long? failAfter = null) : ReadOnlyStream
{
    private static readonly int[] ChunkSizes = [65_536, 7_919, 1_048_576, 1, 300_000];

    private long _position;
    private int _reads;

    /// <summary>The SHA-256 of the bytes from <paramref name="offset"/> on of such a stream.</summary>
    public static string HashOf(long length, int seed, long offset = 0)
    {
        using var stream = new PatternStream(length, seed);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long skipped = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            var skip = (int)Math.Clamp(offset - skipped, 0, read);
            skipped += skip;
            hash.AppendData(buffer.AsSpan(skip, read - skip));
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (failAfter is { } limit && _position >= limit)
        {
            throw new SourceFailedException();
        }

        var chunk = (int)Math.Min(Math.Min(buffer.Length, ChunkSizes[_reads++ % ChunkSizes.Length]), length - _position);
        if (failAfter is { } stop)
        {
            chunk = (int)Math.Min(chunk, stop - _position);
        }

        for (var i = 0; i < chunk; i++)
        {
            var at = _position + i;
            buffer[i] = (byte)((at * 31) ^ (at >> 13) ^ seed);
        }

        _position += chunk;
        return chunk;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
}

/// <summary>What a <see cref="PatternStream"/> throws when it fails partway.</summary>
internal sealed class SourceFailedException() : IOException("The client went away.");
