using Tessera.Testing;

namespace Tessera.Storage.Tests.Infrastructure;

/// <summary>Request bodies as a blob store sees them: bytes that arrive in odd-sized chunks, then end, fail or stall.</summary>
internal sealed class SourceStream(byte[] bytes, int chunkBytes = 64 << 10) : ReadOnlyStream
{
    private int _position;

    /// <summary>Thrown once the bytes are read, instead of the end of the stream; null for a stream that ends.</summary>
    public Exception? FailAtEnd { get; init; }

    /// <summary>Awaited once the bytes are read, before the stream ends (or fails); it may be cancelled.</summary>
    public Func<CancellationToken, Task>? StallAtEnd { get; init; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position == bytes.Length)
        {
            if (StallAtEnd is { } stall)
            {
                await stall(cancellationToken);
            }

            if (FailAtEnd is { } failure)
            {
                throw failure;
            }

            return 0;
        }

        await Task.Yield();
        var count = Math.Min(Math.Min(buffer.Length, chunkBytes), bytes.Length - _position);
        bytes.AsMemory(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();
}
