using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Tessera.Server.Http;

namespace Tessera.Server.Transport;

/// <summary>
/// A large request body received in batches. A client that sends a little slower than the server reads (a browser
/// sends in 32 KiB writes) woke the server for every write, and each wake-up cost more than the bytes it brought: an
/// upload from Chromium took five times the server CPU of the same upload from .NET's HttpClient (docs/benchmarks.md).
/// While enough of the body is still to come, the socket's low-water mark (<c>SO_RCVLOWAT</c>) tells the kernel not to
/// report the connection readable before <see cref="BatchBytes"/> have arrived.
/// <para>
/// The mark must never wait for bytes that will not come. It is set only where the body's bytes alone arrive on the
/// connection (HTTP/1.x, a Content-Length, the socket transport on Linux); it goes back to 1 before fewer than
/// <see cref="BatchBytes"/> of the body can still be in the kernel (what Kestrel may hold unread is counted as
/// received), when a read has waited <see cref="SlowClientWait"/> (a slow client gains nothing from batching, and the
/// idle-body timeout must keep counting silence, not batches), and when the body is disposed.
/// </para>
/// </summary>
internal sealed class ReceiveBatchingStream : ReadOnlyBodyStream
{
    /// <summary>One receive fills one of the transport's blocks.</summary>
    public const int BatchBytes = LargeBlockMemoryPool.BlockBytes;

    /// <summary>How long a read may wait for a batch before the client counts as slow and the mark is dropped.</summary>
    public static readonly TimeSpan SlowClientWait = TimeSpan.FromMilliseconds(100);

    private readonly Stream _inner;
    private readonly Socket? _socket;
    private readonly long _length;
    private readonly long _heldByServer;
    private readonly ITimer? _slowClient;
    private long _read;
    private int _batching;

    /// <summary>
    /// Reads <paramref name="body"/>, in batches when that is safe for <paramref name="request"/> and as it comes
    /// otherwise. Dispose it when the body has been read or given up: that ends the batching, not the body.
    /// </summary>
    public ReceiveBatchingStream(Stream body, HttpRequest request, KestrelServerLimits limits)
    {
        _inner = body;
        var socket = request.HttpContext.Features.Get<IConnectionSocketFeature>()?.Socket;
        // Kestrel may receive up to its request buffer and one more block before the server reads any of it.
        var heldByServer = limits.MaxRequestBufferSize + LargeBlockMemoryPool.BlockBytes;
        if (!OperatingSystem.IsLinux() || socket is null || heldByServer is not { } held
            || !(HttpProtocol.IsHttp11(request.Protocol) || HttpProtocol.IsHttp10(request.Protocol))
            || request.ContentLength is not { } length || length < held + (2 * BatchBytes))
        {
            return;
        }

        _socket = socket;
        _length = length;
        _heldByServer = held;
        _slowClient = TimeProvider.System.CreateTimer(static state => ((ReceiveBatchingStream)state!).StopBatching(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _batching = 1;
        SetLowWaterMark(BatchBytes);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _batching) == 1 && _length - _read - _heldByServer < BatchBytes)
        {
            StopBatching();
        }

        var read = _inner.ReadAsync(buffer, cancellationToken);
        var count = read.IsCompleted || Volatile.Read(ref _batching) == 0 ? await read : await WaitForBatchAsync(read);
        _read += count;
        return count;
    }

    private async ValueTask<int> WaitForBatchAsync(ValueTask<int> read)
    {
        _slowClient!.Change(SlowClientWait, Timeout.InfiniteTimeSpan);
        try
        {
            return await read;
        }
        finally
        {
            _slowClient.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    protected override void Dispose(bool disposing)
    {
        // The request's own body stream belongs to the server; the mark and the timer are ours.
        if (disposing)
        {
            _slowClient?.Dispose();
            StopBatching();
        }

        base.Dispose(disposing);
    }

    /// <summary>Back to waking on every byte, for the rest of this request and whatever follows on the connection.</summary>
    private void StopBatching()
    {
        if (Interlocked.Exchange(ref _batching, 0) == 1)
        {
            SetLowWaterMark(1);
        }
    }

    private void SetLowWaterMark(int bytes)
    {
        try
        {
            _socket!.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReceiveLowWater, bytes);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // The connection is gone (or never allowed the option): there is nothing left to wait on.
        }
    }
}
