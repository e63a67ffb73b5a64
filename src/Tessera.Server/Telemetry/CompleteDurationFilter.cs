using System.Diagnostics;

namespace Tessera.Server.Telemetry;

/// <summary>Times the complete route: <c>tessera.upload.complete.duration</c> of each complete answered with 200.</summary>
internal sealed class CompleteDurationFilter(TesseraMetrics metrics) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await next(context);
        if (result is IStatusCodeHttpResult { StatusCode: StatusCodes.Status200OK })
        {
            metrics.CompleteTook(Stopwatch.GetElapsedTime(started));
        }

        return result;
    }
}
