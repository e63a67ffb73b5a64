using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// A request without a right key costs the server little, whatever body it sends: at most
/// <c>Tessera:Limits:MaxUnauthenticatedDrainBytes</c> (65 MiB by default) of it is read, for at most 10 s, and then
/// it is answered and its connection closed (docs/api.md section 2).
/// </summary>
public sealed class UnauthenticatedDrainTests
{
    private const long Bound = 65L << 20;

    private const int DrainSeconds = 10;

    /// <summary>What loopback socket buffers and Kestrel's own buffers may hold beyond what the server read.</summary>
    private const long BufferedSlack = 24L << 20;

    /// <summary>More than the bound and its slack; today's 1 GiB bound for a keyed request would read all of it.</summary>
    private const long MostSent = 256L << 20;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("a wrong key")]
    [InlineData("no key")]
    public async Task A_body_with_no_length_is_read_no_further_than_the_bound_then_answered_401_and_the_connection_closed(string credentials)
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var socket = await ConnectAsync(server);
        await SendHeadAsync(socket, server, credentials);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        long sent = 0;
        long sentWhenAnswered = -1;
        var firstByte = new byte[1];
        var answer = Task.Run(async () =>
        {
            var read = await socket.ReceiveAsync(firstByte, SocketFlags.None, timeout.Token);
            Interlocked.Exchange(ref sentWhenAnswered, Interlocked.Read(ref sent));
            return (read == 1 ? "H" : "") + await RawHttp.ReceiveUntilClosedAsync(socket, timeout.Token);
        });
        var chunk = Chunk(1 << 20);
        try
        {
            while (sent < MostSent && !answer.IsCompleted)
            {
                Interlocked.Add(ref sent, await socket.SendAsync(chunk, SocketFlags.None, timeout.Token) - ChunkFraming(1 << 20));
            }
        }
        catch (SocketException)
        {
            // The server closed the connection after its answer, as it should.
        }

        var text = await answer;
        Assert.StartsWith("HTTP/1.1 401 ", text);
        Assert.Contains("Connection: close", text, StringComparison.OrdinalIgnoreCase);
        Assert.True(sentWhenAnswered < Bound + BufferedSlack, $"the client could send {sentWhenAnswered >> 20} MiB before the answer; the server reads at most {Bound >> 20} MiB");
        Assert.True(sent < Bound + BufferedSlack, $"the client could send {sent >> 20} MiB in all ({sentWhenAnswered >> 20} MiB before the answer); the server reads at most {Bound >> 20} MiB");
    }

    [Fact]
    public async Task A_wrong_key_body_that_trickles_in_is_cut_after_10_s_answered_401_and_the_connection_closed()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var socket = await ConnectAsync(server);
        await SendHeadAsync(socket, server, "a wrong key");
        var clock = Stopwatch.StartNew();

        // A kilobyte every 200 ms: never idle for long enough to be cut for stalling (30 s), and far short of the bound.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var answer = RawHttp.ReceiveUntilClosedAsync(socket, timeout.Token);
        try
        {
            while (!answer.IsCompleted && !timeout.IsCancellationRequested)
            {
                await socket.SendAsync(Chunk(1024), SocketFlags.None, timeout.Token);
                await Task.Delay(200, timeout.Token);
            }
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException)
        {
            // Closed after the answer, or the test's own time ran out (the answer says which).
        }

        var text = await answer;
        Assert.StartsWith("HTTP/1.1 401 ", text);
        Assert.Contains("Connection: close", text, StringComparison.OrdinalIgnoreCase);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(DrainSeconds - 1), $"answered after {clock.Elapsed.TotalSeconds:0.0} s, before the drain's 10 s were up");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"answered after {clock.Elapsed.TotalSeconds:0.0} s");
    }

    private static async Task<Socket> ConnectAsync(TesseraTestServer server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.Root.Host, server.Root.Port, Token);
        return socket;
    }

    /// <summary>A file upload's head with a chunked body, so the bound can only be found by reading.</summary>
    private static async Task SendHeadAsync(Socket socket, TesseraTestServer server, string credentials)
    {
        var authorization = credentials == "no key" ? "" : "Authorization: Bearer sk-not-a-configured-key-0000000\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"POST /v1/files HTTP/1.1\r\nHost: {server.Root.Authority}\r\n{authorization}" +
            "Content-Type: multipart/form-data; boundary=B\r\nTransfer-Encoding: chunked\r\n\r\n"), SocketFlags.None, Token);
    }

    private static byte[] Chunk(int bytes)
    {
        var head = Encoding.ASCII.GetBytes($"{bytes:x}\r\n");
        var chunk = new byte[head.Length + bytes + 2];
        head.CopyTo(chunk, 0);
        chunk[^2] = (byte)'\r';
        chunk[^1] = (byte)'\n';
        return chunk;
    }

    private static int ChunkFraming(int bytes) => Encoding.ASCII.GetByteCount($"{bytes:x}\r\n") + 2;
}
