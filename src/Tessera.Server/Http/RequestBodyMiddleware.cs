using Microsoft.AspNetCore.Http.Features;
using Tessera.Domain;

namespace Tessera.Server.Http;

/// <summary>
/// Watches every request body: one that delivers no bytes for <c>Tessera:Limits:BodyIdleSeconds</c> is aborted
/// (whatever was being stored from it cleans up after itself), and a refused one is drained before its answer goes
/// out (<see cref="RefusedBodyDrain"/>), whichever component refused it: the key check, a handler, or Kestrel.
/// </summary>
internal sealed class RequestBodyMiddleware(RequestDelegate next, TesseraLimits limits, ILogger<RequestBodyMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is not { CanHaveBody: true })
        {
            return next(context);
        }

        var body = new IdleTimeoutStream(context.Request.Body, TimeSpan.FromSeconds(limits.BodyIdleSeconds), () => OnStalled(context));
        context.Request.Body = body;
        context.Features.Set(body);
        // Disposed when the response has finished, not when this returns: the drain may still read it then.
        context.Response.RegisterForDispose(body);
        context.Response.OnStarting(() => context.Response.StatusCode >= StatusCodes.Status400BadRequest
            ? RefusedBodyDrain.DrainAsync(context, DrainBound.For(context, limits), logger)
            : Task.CompletedTask);
        return next(context);
    }

    /// <summary>The body bytes the server has read of the request: 0 for one that can have no body.</summary>
    public static long BytesRead(HttpContext context) => context.Features.Get<IdleTimeoutStream>()?.BytesRead ?? 0;

    /// <summary>True when the request was cut off because its body stalled (it has been logged already).</summary>
    public static bool Stalled(HttpContext context) => context.Features.Get<IdleTimeoutStream>()?.HasTimedOut == true;

    private void OnStalled(HttpContext context)
    {
        logger.BodyStalled(context.TraceIdentifier, context.Request.Method, context.Request.Path, limits.BodyIdleSeconds);
        context.Abort();
    }
}
