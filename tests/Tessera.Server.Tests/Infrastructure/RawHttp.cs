using System.Net.Sockets;
using System.Text;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>HTTP written by hand on a socket, for what no client library would send: bodies that stall, break off or never end.</summary>
public static class RawHttp
{
    /// <summary>
    /// Everything the server sends until it closes the connection (an answer may arrive in several reads), or until it
    /// resets it once something has arrived.
    /// </summary>
    public static async Task<string> ReceiveUntilClosedAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException) when (received.Length > 0)
        {
            // Reset after the answer: the test's own bytes reached a connection the server had closed.
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }

    /// <summary>
    /// One answer on a connection that stays open: its status code and body, read as far as its Content-Length or its
    /// last chunk says, so the next request can follow on the same connection.
    /// </summary>
    public static async Task<(int Status, string Body)> ReceiveAnswerAsync(Socket socket, CancellationToken cancellationToken)
    {
        var reader = new AnswerReader(socket, cancellationToken);
        var head = (await reader.LineAsync()).Split(' ');
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var line = await reader.LineAsync(); line.Length > 0; line = await reader.LineAsync())
        {
            var field = line.Split(':', 2);
            fields[field[0].Trim()] = field[1].Trim();
        }

        using var body = new MemoryStream();
        if (fields.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            for (var size = Hex(await reader.LineAsync()); size > 0; size = Hex(await reader.LineAsync()))
            {
                body.Write(await reader.BytesAsync(size));
                await reader.LineAsync();
            }

            await reader.LineAsync();
        }
        else if (fields.TryGetValue("Content-Length", out var length))
        {
            body.Write(await reader.BytesAsync(int.Parse(length, System.Globalization.CultureInfo.InvariantCulture)));
        }

        return (int.Parse(head[1], System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetString(body.ToArray()));

        static int Hex(string line) => int.Parse(line.Split(';')[0], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task SendChunkAsync(Socket socket, byte[] data)
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes($"{data.Length:x}\r\n"));
        await socket.SendAsync(data);
        await socket.SendAsync("\r\n"u8.ToArray());
    }

    /// <summary>Reads an answer line by line and byte count by byte count, keeping what one read brought beyond.</summary>
    private sealed class AnswerReader(Socket socket, CancellationToken cancellationToken)
    {
        private readonly List<byte> _held = [];
        private readonly byte[] _buffer = new byte[4096];

        public async Task<string> LineAsync()
        {
            int end;
            while ((end = IndexOfLineEnd()) < 0)
            {
                await ReceiveAsync();
            }

            var line = Encoding.ASCII.GetString(_held.GetRange(0, end).ToArray());
            _held.RemoveRange(0, end + 2);
            return line;
        }

        public async Task<byte[]> BytesAsync(int count)
        {
            while (_held.Count < count)
            {
                await ReceiveAsync();
            }

            var bytes = _held.GetRange(0, count).ToArray();
            _held.RemoveRange(0, count);
            return bytes;
        }

        private async Task ReceiveAsync()
        {
            var read = await socket.ReceiveAsync(_buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new IOException("The server closed the connection before its answer was whole.");
            }

            _held.AddRange(_buffer.AsSpan(0, read));
        }

        private int IndexOfLineEnd()
        {
            for (var i = 0; i + 1 < _held.Count; i++)
            {
                if (_held[i] == '\r' && _held[i + 1] == '\n')
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
