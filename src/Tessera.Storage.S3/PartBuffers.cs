using System.Collections.Concurrent;

namespace Tessera.Storage.S3;

/// <summary>
/// The buffers writes gather their parts in, each <see cref="PartBytes"/> long: S3's smallest part but the last, so a
/// write holds as little as S3 allows. Every write gets one; a second one, which lets the next part fill while the last
/// is sent, only while fewer than <see cref="MaxSecondBuffers"/> are out, so a burst of large writes costs one buffer
/// each beyond that, and runs a little slower, rather than two. A few idle buffers are kept for the next write; more are
/// left to the garbage collector, so a burst does not keep its memory for good.
/// </summary>
internal sealed class PartBuffers
{
    /// <summary>5 MiB, the smallest part S3 accepts in a multipart upload (all but the last part).</summary>
    public const int PartBytes = 5 << 20;

    /// <summary>Eight writes at once send and fill at the same time; more take turns.</summary>
    public const int MaxSecondBuffers = 8;

    private const int MaxIdle = 4;

    private readonly ConcurrentBag<byte[]> _idle = [];
    private int _secondRented;

    public byte[] Rent() => _idle.TryTake(out var buffer) ? buffer : GC.AllocateUninitializedArray<byte>(PartBytes);

    /// <summary>A second buffer for a write, or null when <see cref="MaxSecondBuffers"/> are out already.</summary>
    public byte[]? TryRentSecond()
    {
        if (Interlocked.Increment(ref _secondRented) > MaxSecondBuffers)
        {
            Interlocked.Decrement(ref _secondRented);
            return null;
        }

        return Rent();
    }

    /// <summary>Gives back a buffer from <see cref="Rent"/>; nothing may read or write it any more.</summary>
    public void Return(byte[] buffer)
    {
        if (_idle.Count < MaxIdle)
        {
            _idle.Add(buffer);
        }
    }

    /// <summary>Gives back a buffer from <see cref="TryRentSecond"/>.</summary>
    public void ReturnSecond(byte[] buffer)
    {
        Interlocked.Decrement(ref _secondRented);
        Return(buffer);
    }
}
