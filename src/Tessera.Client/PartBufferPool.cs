using System.Threading.Channels;

namespace Tessera.Client;

/// <summary>
/// At most <c>count</c> part buffers, made on first need and handed round: waiting for one is what limits the
/// parts in flight, and the memory of an upload is their size times their count, whatever the file's size.
/// </summary>
internal sealed class PartBufferPool
{
    private readonly Channel<byte[]> _free;
    private readonly int _size;
    private int _remainingToMake;

    public PartBufferPool(int count, int size)
    {
        _free = Channel.CreateBounded<byte[]>(count);
        _size = size;
        _remainingToMake = count;
    }

    public async ValueTask<byte[]> RentAsync(CancellationToken cancellationToken)
    {
        if (_free.Reader.TryRead(out var buffer))
        {
            return buffer;
        }

        if (Interlocked.Decrement(ref _remainingToMake) >= 0)
        {
            return GC.AllocateUninitializedArray<byte>(_size);
        }

        return await _free.Reader.ReadAsync(cancellationToken);
    }

    public void Return(byte[] buffer) => _free.Writer.TryWrite(buffer);
}
