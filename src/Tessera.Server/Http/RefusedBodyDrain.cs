using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Tessera.Domain;

namespace Tessera.Server.Http;

/// <summary>
/// Reads and discards the rest of a refused request's body before the answer goes out. The Node and .NET SDKs send a
/// whole body before they read an answer: a server that answers early and closes breaks their write (EPIPE), and they
/// report a connection error instead of the answer. So a refusal waits until the client has finished sending, up to
/// <c>Tessera:Limits:MaxDrainBytes</c>; past that the body is left unread and the connection closes after the answer.
/// A request that did not authenticate gets less (<see cref="DrainBound.For"/>): anyone can send one.
/// </summary>
internal static class RefusedBodyDrain
{
    private const int BufferBytes = 64 * 1024;

    public static async Task DrainAsync(HttpContext http, DrainBound bound, ILogger logger)
    {
        var maxBytes = bound.MaxBytes;
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
            // Kestrel's default limit (30 MB) would cut a refused part short of its end. The bound is Kestrel's limit, not
            // only this loop's: once the answer is out Kestrel reads on to the body's end (to spare the client a reset)
            // unless the body has passed its limit.
            sizeLimit!.MaxRequestBodySize = maxBytes;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        if (bound.MaxDuration is { } maxDuration)
        {
            deadline.CancelAfter(maxDuration);
        }

        long drained = 0;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer, deadline.Token)) > 0)
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
        catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            CloseAfterAnswer(http, logger, $"it goes on past {maxBytes} bytes");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !http.RequestAborted.IsCancellationRequested)
        {
            CloseAfterAnswer(http, logger, $"it was still arriving after {bound.MaxDuration!.Value.TotalSeconds:0} s");
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

/// <summary>How much of a refused body is read at most, and for how long (null: as long as it keeps coming).</summary>
internal readonly record struct DrainBound(long MaxBytes, TimeSpan? MaxDuration)
{
    /// <summary>
    /// A request with a project's key gets <c>Tessera:Limits:MaxDrainBytes</c>; one without (no key, a wrong key, a
    /// route that needs none) costs at most <c>MaxUnauthenticatedDrainBytes</c> and <see cref="TesseraLimits.UnauthenticatedDrainSeconds"/>.
    /// </summary>
    public static DrainBound For(HttpContext http, TesseraLimits limits) => http.CallerProjectOrNull() is null
        ? new(Math.Min(limits.MaxDrainBytes, limits.MaxUnauthenticatedDrainBytes), TimeSpan.FromSeconds(TesseraLimits.UnauthenticatedDrainSeconds))
        : new(limits.MaxDrainBytes, null);
}
