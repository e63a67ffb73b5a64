using System.IO.Hashing;

namespace Tessera.Storage.FileSystem;

public sealed partial class FileSystemBlobStore
{
    /// <summary>
    /// Copies with two buffers: while one is being written, the next fills from the source. Each write is a whole
    /// buffer (except the last), whatever size of chunk the source hands out; the two may differ in size when the
    /// budget ran out between them. With direct I/O the buffers are aligned
    /// and only the last write may be unaligned, so direct writes are turned off just for it. The first buffer comes
    /// already filled (<c>firstFilled</c> bytes); like the second, it goes back to the pool here. Each buffer is appended
    /// to <paramref name="crc"/> as it fills, while the one before it is being written.
    /// </summary>
    private static async Task<long> CopyCoalescedAsync(
        Stream source, FileStream destination, WriteBuffers buffers, AlignedBuffer first, int firstFilled, Crc32 crc, bool isDirect, CancellationToken cancellationToken)
    {
        var filling = first;
        var writing = buffers.Rent();
        var pendingWrite = Task.CompletedTask;
        long total = 0;
        long writebackStarted = 0;
        try
        {
            while (true)
            {
                var filled = firstFilled >= 0 ? firstFilled : await FillAsync(source, filling.Memory, cancellationToken);
                firstFilled = -1;
                crc.Append(filling.Memory.Span[..filled]);
                await pendingWrite;
                if (filled == 0)
                {
                    break;
                }

                if (!isDirect && total - writebackStarted >= WritebackBytes)
                {
                    EarlyWriteback.Start(destination.SafeFileHandle, writebackStarted, total - writebackStarted);
                    writebackStarted = total;
                }

                var chunk = filling.Memory[..filled];
                if (isDirect && filled % DirectIo.Alignment != 0)
                {
                    var aligned = filled - (filled % DirectIo.Alignment);
                    await destination.WriteAsync(chunk[..aligned], cancellationToken);
                    DirectIo.EndDirectWrites(destination.SafeFileHandle);
                    isDirect = false;
                    chunk = chunk[aligned..];
                }

                total += filled;
                pendingWrite = destination.WriteAsync(chunk, cancellationToken).AsTask();
                (filling, writing) = (writing, filling);
            }
        }
        finally
        {
            // A failed read must not return a buffer to the pool while a write still uses it.
            await pendingWrite.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            buffers.Return(filling);
            buffers.Return(writing);
        }

        return total;
    }

    private static async Task<int> FillAsync(Stream source, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            int read;
            try
            {
                read = await source.ReadAsync(buffer[filled..], cancellationToken);
            }
            catch (Exception exception)
            {
                // The source's failure, not the disk's: it must reach the caller as it is.
                throw new SourceReadException(exception);
            }

            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }
}
