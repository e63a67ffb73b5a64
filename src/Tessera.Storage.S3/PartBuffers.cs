using System.Collections.Concurrent;

namespace Tessera.Storage.S3;

/// <summary>
/// The buffers a write gathers its parts in, each <see cref="PartBytes"/> long: S3's smallest part but the last, so
/// memory per write stays as small as S3 allows. A few idle ones are kept for the next write; more are left to the
/// garbage collector, so a burst of writes does not keep its memory for good.
/// </summary>
internal sealed class PartBuffers
{
    /// <summary>5 MiB, the smallest part S3 accepts in a multipart upload (all but the last part).</summary>
    public const int PartBytes = 5 << 20;

    private const int MaxIdle = 4;

    private readonly ConcurrentBag<byte[]> _idle = [];

    public byte[] Rent() => _idle.TryTake(out var buffer) ? buffer : GC.AllocateUninitializedArray<byte>(PartBytes);

    /// <summary>Gives back a buffer from <see cref="Rent"/>; nothing may read or write it any more.</summary>
    public void Return(byte[] buffer)
    {
        if (_idle.Count < MaxIdle)
        {
            _idle.Add(buffer);
        }
    }
}
