using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// A large part is received in batches (the socket's low-water mark), which must never hold back bytes that are all
/// the client will send: not the request that follows on the same connection, and not a client that slows down.
/// </summary>
public sealed class ReceiveBatchingTests
{
    private const string Boundary = "B";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_small_request_after_a_large_part_on_the_same_connection_is_answered()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = server.CreateClient();
        var data = Api.RandomBytes(4 << 20);
        var uploadId = (await client.CreateUploadAsync(data.Length)).Id();
        using var socket = await ConnectAsync(server);
        using var deadline = new CancellationTokenSource(Deadline);

        await SendPartHeadAsync(socket, server, uploadId, data.Length);
        await socket.SendAsync(data);
        await socket.SendAsync(Encoding.ASCII.GetBytes(Tail));
        var (partStatus, partBody) = await RawHttp.ReceiveAnswerAsync(socket, deadline.Token);
        Assert.Equal(200, partStatus);
        var partId = JsonDocument.Parse(partBody).RootElement.GetProperty("id").GetString()!;

        // A few hundred bytes, far fewer than a batch: they must reach the server all the same.
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"GET /v1/uploads/{uploadId}/parts HTTP/1.1\r\nHost: {server.Root.Authority}\r\nAuthorization: Bearer {TesseraTestServer.KeyA}\r\n\r\n"));
        var (listStatus, listBody) = await RawHttp.ReceiveAnswerAsync(socket, deadline.Token);

        Assert.Equal(200, listStatus);
        Assert.Contains(partId, listBody);
        var completed = await client.CompleteAsync(uploadId, [partId], Api.Md5Hex(data));
        Assert.Equal("completed", completed.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_part_that_slows_down_midway_is_not_cut_off_while_its_bytes_keep_coming()
    {
        await using var server = await TesseraTestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Tessera:Limits:BodyIdleSeconds"] = "2",
        });
        using var client = server.CreateClient();
        var data = Api.RandomBytes(3 << 20);
        var uploadId = (await client.CreateUploadAsync(data.Length)).Id();
        using var socket = await ConnectAsync(server);
        using var deadline = new CancellationTokenSource(Deadline);

        // Half a MiB at once; then five pieces of 48 KiB, 0.7 s apart: never silent for the 2 s idle time, yet 3.5 s
        // before a batch's worth has come; then the rest at once.
        await SendPartHeadAsync(socket, server, uploadId, data.Length);
        const int FastStart = 512 * 1024, Piece = 48 * 1024, Pieces = 5;
        await socket.SendAsync(data.AsMemory(0, FastStart));
        for (var i = 0; i < Pieces; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(700), deadline.Token);
            await socket.SendAsync(data.AsMemory(FastStart + (i * Piece), Piece));
        }

        await socket.SendAsync(data.AsMemory(FastStart + (Pieces * Piece)));
        await socket.SendAsync(Encoding.ASCII.GetBytes(Tail));
        var (status, body) = await RawHttp.ReceiveAnswerAsync(socket, deadline.Token);

        Assert.Equal(200, status);
        var partId = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        var completed = await client.CompleteAsync(uploadId, [partId], Api.Md5Hex(data));
        Assert.Equal("completed", completed.GetProperty("status").GetString());
    }

    private const string Head = $"--{Boundary}\r\nContent-Disposition: form-data; name=\"data\"; filename=\"part.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n";

    private const string Tail = $"\r\n--{Boundary}--\r\n";

    private static async Task<Socket> ConnectAsync(TesseraTestServer server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.Root.Host, server.Root.Port);
        return socket;
    }

    /// <summary>The request's head and the form's opening, promising exactly <paramref name="dataBytes"/> of data.</summary>
    private static async Task SendPartHeadAsync(Socket socket, TesseraTestServer server, string uploadId, int dataBytes)
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"POST /v1/uploads/{uploadId}/parts HTTP/1.1\r\nHost: {server.Root.Authority}\r\nAuthorization: Bearer {TesseraTestServer.KeyA}\r\n" +
            $"Content-Type: multipart/form-data; boundary={Boundary}\r\nContent-Length: {Head.Length + dataBytes + Tail.Length}\r\n\r\n{Head}"));
    }
}
