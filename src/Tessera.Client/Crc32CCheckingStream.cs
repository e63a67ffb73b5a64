using System.IO.Hashing;
using Tessera.Contracts;

namespace Tessera.Client;

/// <summary>
/// A file's content as it arrives, hashed on the way: when it ends, the CRC32C of the bytes before
/// <c>offset</c> (which the caller already holds) combined with the CRC32C of those read must be the whole file's
/// as the server recorded it, else the read that reached the end throws <see cref="ChecksumMismatchException"/>.
/// </summary>
internal sealed class Crc32CCheckingStream(Stream inner, string fileId, uint expected, uint crcBeforeOffset) : Stream
{
    private readonly Crc32 _crc = Crc32C.Create();
    private long _read;
    private bool _checked;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        return Account(buffer[..read], buffer.Length);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Account(buffer.Span[..read], buffer.Length);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }

    private int Account(ReadOnlySpan<byte> read, int asked)
    {
        _crc.Append(read);
        _read += read.Length;
        if (read.Length == 0 && asked > 0 && !_checked)
        {
            _checked = true;
            var whole = Crc32C.Combine(crcBeforeOffset, _crc.GetCurrentHashAsUInt32(), _read);
            if (whole != expected)
            {
                throw new ChecksumMismatchException(
                    $"The bytes received for {fileId} do not match the file's checksum (CRC32C {Crc32C.ToHeaderValue(expected)} expected, "
                    + $"{Crc32C.ToHeaderValue(whole)} received): they were damaged on the way or in storage. Download it again.",
                    Crc32C.ToHeaderValue(expected), Crc32C.ToHeaderValue(whole));
            }
        }

        return read.Length;
    }
}
