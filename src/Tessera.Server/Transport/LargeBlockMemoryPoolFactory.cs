using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Tessera.Server.Transport;

/// <summary>
/// Gives Kestrel's socket transport 256 KiB receive buffers instead of its 4 KiB blocks. Parts arrive as 64 MiB
/// bodies; with 4 KiB blocks the server made about half a million <c>recv</c> calls per GiB and spent more CPU
/// receiving than storing, and going from 64 KiB to 256 KiB blocks cut the kernel time of an ingest by a third (see
/// docs/benchmarks.md). A block is only taken while a connection has bytes to read, so idle connections cost none.
/// Kestrel takes this factory from DI (<see cref="IMemoryPoolFactory{T}"/>).
/// </summary>
internal sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
}

/// <summary>
/// A pool of pinned 256 KiB blocks. At most <see cref="MaxPooledBlocks"/> idle blocks are kept; the rest are left to
/// the garbage collector, so an idle server gives back what a burst took.
/// </summary>
internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockBytes = 256 * 1024;
    public const int MaxPooledBlocks = 128;

    private readonly ConcurrentQueue<byte[]> _idle = new();
    private int _idleCount;

    public override int MaxBufferSize => BlockBytes;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockBytes);
        if (_idle.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _idleCount);
        }
        else
        {
            block = GC.AllocateUninitializedArray<byte>(BlockBytes, pinned: true);
        }

        return new Lease(this, block);
    }

    protected override void Dispose(bool disposing)
    {
        _idle.Clear();
    }

    private void Return(byte[] block)
    {
        if (Interlocked.Increment(ref _idleCount) <= MaxPooledBlocks)
        {
            _idle.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _idleCount);
        }
    }

    private sealed class Lease(LargeBlockMemoryPool pool, byte[] block) : IMemoryOwner<byte>
    {
        private byte[]? _block = block;

        public Memory<byte> Memory => _block ?? throw new ObjectDisposedException(nameof(Lease));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _block, null) is { } returned)
            {
                pool.Return(returned);
            }
        }
    }
}
