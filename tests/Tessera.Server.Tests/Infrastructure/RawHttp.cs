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

    public static async Task SendChunkAsync(Socket socket, byte[] data)
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes($"{data.Length:x}\r\n"));
        await socket.SendAsync(data);
        await socket.SendAsync("\r\n"u8.ToArray());
    }
}
