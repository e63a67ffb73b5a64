using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Tessera.Server.Http;

namespace Tessera.Server.Logging;

/// <summary>
/// One access line per request, written as it ends, whoever answered it (a handler, a refusal by middleware, the
/// metrics scrape) and however it ended (aborted included): method, path (percent-encoded, as the other events
/// write it), the query with its values redacted (<see cref="QueryRedaction"/>), status, duration, request id, and
/// the body bytes read and written. No header and no body is logged. Logged at Information under the category
/// <see cref="Category"/>.
/// </summary>
internal sealed class AccessLogMiddleware(RequestDelegate next, ILoggerFactory loggers)
{
    /// <summary>The category of the access lines, so an operator turns them off or on by this name.</summary>
    public const string Category = "Tessera.Server.AccessLog";

    private const int ClientClosedRequest = 499;

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    public async Task InvokeAsync(HttpContext context)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            await next(context);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var body = new CountingResponseBody(context.Features.GetRequiredFeature<IHttpResponseBodyFeature>());
        context.Features.Set<IHttpResponseBodyFeature>(body);
        var failed = false;
        try
        {
            await next(context);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            var status = Status(context, failed);
            _logger.AccessLine(context.Request.Method, context.Request.Path.ToUriComponent(), QueryRedaction.Redact(context.Request.QueryString),
                status, Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1), context.TraceIdentifier,
                RequestBodyMiddleware.BytesRead(context), body.BytesWritten);
        }
    }

    /// <summary>
    /// The status sent, or about to be. A connection that ended before any answer started got none: 499, as nginx
    /// writes it, rather than the 200 a response starts with. An exception that got this far is answered 500.
    /// </summary>
    private static int Status(HttpContext context, bool failed) => context.Response.HasStarted
        ? context.Response.StatusCode
        : context.RequestAborted.IsCancellationRequested ? ClientClosedRequest
        : failed ? StatusCodes.Status500InternalServerError
        : context.Response.StatusCode;
}
