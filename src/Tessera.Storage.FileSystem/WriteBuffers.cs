using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Tessera.Storage.FileSystem;

/// <summary>
/// The aligned buffers that writes gather bytes into, under one budget for the whole process. Each write in progress
/// holds two buffers; large ones ingest fastest, but a burst of concurrent parts would take two large buffers each, so
/// once the budget is spent a write gets small buffers instead: it runs slower, and memory stays bounded however many
/// parts arrive at once.
/// </summary>
internal sealed class WriteBuffers
{
    /// <summary>The size handed out once the budget for large buffers is spent; a multiple of <see cref="DirectIo.Alignment"/>.</summary>
    public const int SmallBytes = 256 << 10;

    // Idle large buffers kept for reuse; past this, returned ones are left to the garbage collector.
    private const int MaxIdle = 8;

    private readonly ConcurrentBag<byte[]> _idle = [];
    private readonly long _budgetBytes;
    private long _largeRentedBytes;

    /// <param name="largeBytes">The size of a large buffer; a multiple of <see cref="DirectIo.Alignment"/>.</param>
    /// <param name="budgetBytes">How many bytes of large buffers may be rented at once.</param>
    public WriteBuffers(int largeBytes, long budgetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(largeBytes, SmallBytes);
        ArgumentOutOfRangeException.ThrowIfNotEqual(largeBytes % DirectIo.Alignment, 0, nameof(largeBytes));
        ArgumentOutOfRangeException.ThrowIfNegative(budgetBytes);
        LargeBytes = largeBytes;
        _budgetBytes = budgetBytes;
    }

    public int LargeBytes { get; }

    /// <summary>Bytes of large buffers rented and not yet returned.</summary>
    public long LargeRentedBytes => Interlocked.Read(ref _largeRentedBytes);

    /// <summary>A large buffer while the budget allows, a small one after.</summary>
    public AlignedBuffer Rent()
    {
        if (Interlocked.Add(ref _largeRentedBytes, LargeBytes) > _budgetBytes)
        {
            Interlocked.Add(ref _largeRentedBytes, -LargeBytes);
            return Allocate(SmallBytes);
        }

        return _idle.TryTake(out var array) ? Aligned(array, LargeBytes) : Allocate(LargeBytes);
    }

    /// <summary>Gives back a buffer from <see cref="Rent"/>; it must not be in use any more.</summary>
    public void Return(AlignedBuffer buffer)
    {
        if (buffer.Length != LargeBytes)
        {
            return;
        }

        Interlocked.Add(ref _largeRentedBytes, -LargeBytes);
        if (_idle.Count < MaxIdle)
        {
            _idle.Add(buffer.Array);
        }
    }

    private static AlignedBuffer Allocate(int length) =>
        Aligned(GC.AllocateUninitializedArray<byte>(length + DirectIo.Alignment, pinned: true), length);

    private static AlignedBuffer Aligned(byte[] array, int length)
    {
        var address = Marshal.UnsafeAddrOfPinnedArrayElement(array, 0).ToInt64();
        var offset = (int)((DirectIo.Alignment - (address % DirectIo.Alignment)) % DirectIo.Alignment);
        return new AlignedBuffer(array, offset, length);
    }
}

/// <summary>A pinned array and the aligned stretch of it to use.</summary>
internal readonly record struct AlignedBuffer(byte[] Array, int Offset, int Length)
{
    public Memory<byte> Memory => Array.AsMemory(Offset, Length);
}
