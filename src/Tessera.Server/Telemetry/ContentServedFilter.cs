using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Server.Content;

namespace Tessera.Server.Telemetry;

/// <summary>Counts the bytes of file content that reached the response (<c>tessera.served</c>), once it is sent.</summary>
internal sealed class ContentServedFilter(TesseraMetrics metrics) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        if (result is FileStreamHttpResult { FileStream: SegmentedContentStream content })
        {
            context.HttpContext.Response.OnCompleted(() =>
            {
                metrics.ContentServed(content.BytesRead);
                return Task.CompletedTask;
            });
        }

        return result;
    }
}
