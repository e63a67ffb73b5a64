using System.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace Tessera.Server.Http;

/// <summary>
/// Reads and discards the rest of a refused request's body before the answer goes out. The Node and .NET SDKs send a
/// whole body before they read an answer: a server that answers early and closes breaks their write (EPIPE), and they
/// report a connection error instead of the answer. So a refusal waits until the client has finished sending, up to
/// <c>Tessera:Limits:MaxDrainBytes</c>; past that the body is left unread and the connection closes after the answer.
/// </summary>
internal static class RefusedBodyDrain
{
    private const int BufferBytes = 64 * 1024;

    public static async Task DrainAsync(HttpContext http, long maxBytes, ILogger logger)
    {
        var request = http.Request;
        if (http.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        // Kestrel makes the size limit read-only once the body has begun to be read; until then nothing of it has come
        // off the connection, and a client that asked to wait for "100 Continue" (curl does, for large bodies) has not
        // sent it: such a client reads the answer at once and never sends the body.
        var sizeLimit = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        var unread = sizeLimit is { IsReadOnly: false };
        if (unread && WaitsForContinue(request))
        {
            CloseAfterAnswer(http, logger, "the client waits for 100 Continue before sending it");
            return;
        }

        if (unread && request.ContentLength > maxBytes)
        {
            CloseAfterAnswer(http, logger, $"its Content-Length is over {maxBytes} bytes");
            return;
        }

        if (unread)
        {
            // This loop is the bound; Kestrel's default limit (30 MB) would cut a refused part short of its end.
            sizeLimit!.MaxRequestBodySize = null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        long drained = 0;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer, http.RequestAborted)) > 0)
            {
                drained += read;
                if (drained > maxBytes)
                {
                    CloseAfterAnswer(http, logger, $"it goes on past {maxBytes} bytes");
                    return;
                }
            }

            if (drained > 0)
            {
                logger.RefusedBodyDrained(http.TraceIdentifier, drained);
            }
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException)
        {
            // The body broke off, stalled, or passed Kestrel's limit (BadHttpRequestException is an IOException):
            // the answer still goes out if it can, and the connection is not reused.
            http.Response.Headers.Connection = "close";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool WaitsForContinue(HttpRequest request) =>
        request.Headers.Expect.ToString().Contains("100-continue", StringComparison.OrdinalIgnoreCase);

    private static void CloseAfterAnswer(HttpContext http, ILogger logger, string reason)
    {
        http.Response.Headers.Connection = "close";
        logger.RefusedBodyLeftUnread(http.TraceIdentifier, reason);
    }
}
