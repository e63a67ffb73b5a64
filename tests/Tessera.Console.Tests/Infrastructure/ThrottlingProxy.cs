using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Tessera.Console.Tests.Infrastructure;

/// <summary>
/// A slow uplink between the page and the server: a TCP relay on loopback that passes on what the browser sends, all
/// connections together, no faster than <see cref="BytesPerSecond"/>, and the server's answers at full speed. The
/// browser is held back by TCP itself, as on a real link, whatever the body is made of. Chromium's own network
/// emulation does not do for this: it slows a Blob or FormData body but not a body of bytes, which is how the page
/// sends a checked part.
/// </summary>
public sealed class ThrottlingProxy : IAsyncDisposable
{
    /// <summary>
    /// The most relayed at once, and the socket buffers' size on the browser's side, so the browser cannot run more
    /// than a few of these ahead of the server and a change of rate is felt within milliseconds.
    /// </summary>
    private const int Slice = 64 * 1024;

    private readonly Socket _listener;
    private readonly IPEndPoint _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<Task> _relays = [];
    private readonly Task _accepting;
    private long _bytesPerSecond;
    private long _nextFree;

    private ThrottlingProxy(IPEndPoint server)
    {
        _server = server;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        // Accepted sockets inherit it, and it must be set before the connection's window is agreed.
        _listener.ReceiveBufferSize = Slice;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
        Root = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}/");
        _accepting = AcceptAsync();
    }

    /// <summary>Where the browser goes instead of the server: the same site, through the slow link.</summary>
    public Uri Root { get; }

    /// <summary>The rate all request bytes share, in bytes a second; 0 (the default) or less relays at full speed.</summary>
    public long BytesPerSecond
    {
        get => Volatile.Read(ref _bytesPerSecond);
        set
        {
            lock (_lock)
            {
                _bytesPerSecond = value;
                _nextFree = Stopwatch.GetTimestamp();
            }
        }
    }

    /// <summary>Starts relaying to the server at <paramref name="server"/> (an http address on loopback).</summary>
    public static ThrottlingProxy Start(Uri server) =>
        new(new IPEndPoint(IPAddress.Parse(server.Host), server.Port));

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var browser = await _listener.AcceptAsync(_stop.Token);
                lock (_relays)
                {
                    _relays.RemoveAll(relay => relay.IsCompleted);
                    _relays.Add(RelayAsync(browser));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task RelayAsync(Socket browser)
    {
        using var _ = browser;
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            browser.NoDelay = server.NoDelay = true;
            await server.ConnectAsync(_server, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            return;
        }

        await Task.WhenAll(PumpAsync(browser, server, throttled: true), PumpAsync(server, browser, throttled: false));
    }

    /// <summary>
    /// Copies <paramref name="from"/> to <paramref name="to"/> until it ends, then ends <paramref name="to"/>'s sending
    /// side too, as a closed connection does. When either side fails (a reset, say, when the page aborts a request) or
    /// the test is over, both are closed at once, so the other side learns of it as it would without the relay.
    /// </summary>
    private async Task PumpAsync(Socket from, Socket to, bool throttled)
    {
        var buffer = new byte[Slice];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, _stop.Token)) > 0)
            {
                if (throttled && Book(read) is var wait && wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _stop.Token);
                }

                await to.SendAsync(buffer.AsMemory(0, read), _stop.Token);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            from.Dispose();
            to.Dispose();
        }
    }

    /// <summary>Books <paramref name="bytes"/> on the shared rate and says how long to wait until they have been paid for.</summary>
    private TimeSpan Book(int bytes)
    {
        lock (_lock)
        {
            if (_bytesPerSecond <= 0)
            {
                return TimeSpan.Zero;
            }

            var now = Stopwatch.GetTimestamp();
            _nextFree = Math.Max(now, _nextFree) + (bytes * Stopwatch.Frequency / _bytesPerSecond);
            return Stopwatch.GetElapsedTime(now, _nextFree);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting;
        Task[] relays;
        lock (_relays)
        {
            relays = [.. _relays];
        }

        await Task.WhenAll(relays);
        _stop.Dispose();
    }
}
