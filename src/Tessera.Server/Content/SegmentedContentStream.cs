using Tessera.Domain;
using Tessera.Storage;

namespace Tessera.Server.Content;

/// <summary>
/// A file's bytes as one seekable, read-only stream over its segments, opening each blob only when the read reaches
/// it. Seeking lets ASP.NET Core's range processing serve <c>Range</c> requests without reading what precedes them.
/// </summary>
internal sealed class SegmentedContentStream(IBlobStore blobs, IReadOnlyList<FileSegment> segments, long length) : Stream
{
    private long _position;
    private long _bytesRead;
    private Stream? _current;
    private int _currentIndex = -1;

    /// <summary>How many bytes were read through this stream, wherever it was positioned (a range is counted as sent).</summary>
    public long BytesRead => _bytesRead;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_position < length && buffer.Length > 0)
        {
            var (index, offsetInSegment) = Locate(_position);
            if (index != _currentIndex || _current is null)
            {
                await CloseCurrentAsync();
                _current = await blobs.OpenReadAsync(segments[index].BlobKey, offsetInSegment, cancellationToken);
                _currentIndex = index;
            }

            var remainingInSegment = segments[index].Bytes - offsetInSegment;
            var read = await _current.ReadAsync(buffer[..(int)Math.Min(buffer.Length, remainingInSegment)], cancellationToken);
            if (read == 0)
            {
                throw new IOException($"Blob {segments[index].BlobKey} is shorter than its recorded {segments[index].Bytes} bytes.");
            }

            _position += read;
            _bytesRead += read;
            if (read == remainingInSegment)
            {
                await CloseCurrentAsync();
            }

            return read;
        }

        return 0;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read asynchronously.");

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        if (target != _position)
        {
            _current?.Dispose();
            _current = null;
            _currentIndex = -1;
            _position = target;
        }

        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        await CloseCurrentAsync();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current?.Dispose();
            _current = null;
        }

        base.Dispose(disposing);
    }

    private (int Index, long Offset) Locate(long position)
    {
        var start = 0L;
        for (var i = 0; i < segments.Count; i++)
        {
            if (position < start + segments[i].Bytes)
            {
                return (i, position - start);
            }

            start += segments[i].Bytes;
        }

        throw new InvalidOperationException("Position past the last segment.");
    }

    private async ValueTask CloseCurrentAsync()
    {
        if (_current is not null)
        {
            await _current.DisposeAsync();
            _current = null;
            _currentIndex = -1;
        }
    }
}
