using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// A request body that delivers no bytes for <c>Tessera:Limits:BodyIdleSeconds</c> is cut off: its connection is
/// closed, nothing of it is kept, and the operator reads one line about it. Kestrel's minimum data rate alone would
/// let a burst followed by silence hold the connection for an hour.
/// </summary>
public sealed class StalledBodyTests
{
    private const int IdleSeconds = 1;

    [Theory]
    [InlineData("part")]
    [InlineData("file")]
    [InlineData("json")]
    public async Task A_body_that_stalls_is_cut_off_after_the_idle_time_and_nothing_of_it_remains(string route)
    {
        var logs = new LogCapture();
        await using var server = await TesseraTestServer.StartAsync(
            settings: new Dictionary<string, string>
            {
                ["Tessera:Limits:BodyIdleSeconds"] = IdleSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Logging:LogLevel:Tessera"] = "Information",
            },
            configureServices: logs.AddTo);
        using var client = server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(10 << 20)).Id();

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.Root.Host, server.Root.Port);
        var (path, contentType, head, sent) = route switch
        {
            "part" => ($"/v1/uploads/{uploadId}/parts", "multipart/form-data; boundary=B",
                "--B\r\nContent-Disposition: form-data; name=\"data\"; filename=\"x\"\r\n\r\n", 1 << 20),
            "file" => ("/v1/files", "multipart/form-data; boundary=B",
                "--B\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nassistants\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\n", 1 << 20),
            _ => ("/v1/uploads", "application/json", "{\"filename\": \"a\", \"purpose\": \"batch\", ", 0),
        };
        // The whole of what the headers promise is ten times what is sent before the client falls silent.
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: {server.Root.Authority}\r\nAuthorization: Bearer {TesseraTestServer.KeyA}\r\n" +
            $"Content-Type: {contentType}\r\nContent-Length: {(10 * sent) + head.Length + 1000}\r\n\r\n{head}"));
        await socket.SendAsync(Api.RandomBytes(sent));
        var stalledAt = Stopwatch.StartNew();

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string answer;
        try
        {
            answer = await RawHttp.ReceiveUntilClosedAsync(socket, deadline.Token);
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Aborted, with the client's unread bytes still in the server's buffer: the kernel says so with a reset.
            answer = "";
        }


        Assert.False(deadline.IsCancellationRequested, "the stalled connection was still open after 30 s");
        Assert.Equal("", answer);
        Assert.True(stalledAt.Elapsed >= TimeSpan.FromSeconds(IdleSeconds * 0.8), $"cut off after {stalledAt.Elapsed}, before the idle time");
        await Eventually.HoldsAsync(() => server.TemporaryFiles().Count == 0, "no temporary file is left");
        Assert.Empty(await server.StoredBlobKeysAsync());
        var parts = await (await client.GetAsync($"uploads/{uploadId}/parts")).ShouldSucceedAsync();
        Assert.Equal(0, parts.GetProperty("data").GetArrayLength());
        var files = await (await client.GetAsync("files")).ShouldSucceedAsync();
        Assert.Equal(0, files.GetProperty("data").GetArrayLength());

        // One line, without a stack trace, and nothing else about that request.
        var stall = Assert.Single(logs.Entries, e => e.EventId.Id == 51);
        Assert.Null(stall.Exception);
        Assert.Contains(path, stall.Message);
        Assert.DoesNotContain(logs.Entries, e => e.Exception is not null || e.Level >= LogLevel.Error || (e.Category.StartsWith("Tessera", StringComparison.Ordinal) && e.EventId.Id == 40));
    }

    [Fact]
    public async Task A_body_that_keeps_arriving_slowly_is_not_cut_off()
    {
        await using var server = await TesseraTestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Tessera:Limits:BodyIdleSeconds"] = "2",
        });
        using var client = server.CreateClient();
        var data = Api.RandomBytes(5 * 64 * 1024);
        var uploadId = (await client.CreateUploadAsync(data.Length)).Id();

        // Three seconds in all, longer than the idle time, but never silent for more than a third of it.
        using var content = new MultipartFormDataContent { { new StreamContent(new TricklingStream(data, 64 * 1024, TimeSpan.FromMilliseconds(600))), "data", "slow.bin" } };
        using var response = await client.PostAsync($"uploads/{uploadId}/parts", content);

        var part = await response.ShouldSucceedAsync();
        var completed = await client.CompleteAsync(uploadId, [part.Id()], Api.Md5Hex(data));
        Assert.Equal("completed", completed.GetProperty("status").GetString());
    }

    /// <summary>Hands out its data a block at a time, pausing before each block.</summary>
    private sealed class TricklingStream(byte[] data, int blockBytes, TimeSpan pause) : ReadOnlyStream
    {
        private int _position;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position == data.Length)
            {
                return 0;
            }

            await Task.Delay(pause, cancellationToken);
            var count = Math.Min(Math.Min(blockBytes, buffer.Length), data.Length - _position);
            data.AsMemory(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    }
}
