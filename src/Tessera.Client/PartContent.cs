using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Tessera.Client;

/// <summary>
/// A part as <c>multipart/form-data</c> with its one field <c>data</c>, written straight from the caller's buffer
/// (no copy), in slices so that progress is reported as bytes leave and a send that stalls is abandoned. With a
/// <see cref="PartFill"/> each slice is sent as soon as the reader has put it in the buffer. It can be sent again,
/// so the retry pipeline may replay it.
/// </summary>
internal sealed class PartContent : HttpContent
{
    private const int SliceBytes = 1 << 20;

    private readonly ReadOnlyMemory<byte> _data;
    private readonly TimeSpan _idleTimeout;
    private readonly Action<long>? _onBytesSent;
    private readonly PartFill? _fill;
    private readonly byte[] _head;
    private readonly byte[] _tail;
    private long _sentThisAttempt;

    public PartContent(ReadOnlyMemory<byte> data, TimeSpan idleTimeout, Action<long>? onBytesSent = null, PartFill? fill = null)
    {
        _data = data;
        _idleTimeout = idleTimeout;
        _onBytesSent = onBytesSent;
        _fill = fill;
        var boundary = "tessera-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        _head = Encoding.ASCII.GetBytes(
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"data\"; filename=\"part\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        _tail = Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n");
        Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        // A retry sends the part again from its start: what the failed attempt reported is taken back.
        if (_sentThisAttempt > 0)
        {
            _onBytesSent?.Invoke(-_sentThisAttempt);
            _sentThisAttempt = 0;
        }

        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            idle.CancelAfter(_idleTimeout);
            await stream.WriteAsync(_head, idle.Token);
            for (var offset = 0; offset < _data.Length; offset += SliceBytes)
            {
                var slice = _data.Slice(offset, Math.Min(SliceBytes, _data.Length - offset));
                idle.CancelAfter(_idleTimeout);
                if (_fill is not null)
                {
                    await _fill.WaitForAsync(offset + slice.Length, idle.Token);
                }

                await stream.WriteAsync(slice, idle.Token);
                _sentThisAttempt += slice.Length;
                _onBytesSent?.Invoke(slice.Length);
            }

            idle.CancelAfter(_idleTimeout);
            await stream.WriteAsync(_tail, idle.Token);
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"Sending the part made no progress for {_idleTimeout.TotalSeconds:0} s.");
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _head.Length + _data.Length + _tail.Length;
        return true;
    }
}
