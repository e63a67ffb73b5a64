using Microsoft.AspNetCore.Http;

namespace Tessera.Client.Tests.Infrastructure;

/// <summary>Answers the recorder can give instead of the server.</summary>
public static class Faults
{
    /// <summary>Answers the first <paramref name="times"/> matching requests with <paramref name="status"/> in OpenAI's error envelope, then lets them through.</summary>
    public static Func<HttpContext, Task<bool>> FailFirst(int times, string method, string pathSuffix, int status = 503, Action<HttpResponse>? headers = null)
    {
        var left = times;
        return async context =>
        {
            if (!Matches(context.Request, method, pathSuffix) || Interlocked.Decrement(ref left) < 0)
            {
                return false;
            }

            // Read the body first, as a server that failed late would, so the client has sent all of it.
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            context.Response.StatusCode = status;
            headers?.Invoke(context.Response);
            await context.Response.WriteAsJsonAsync(new
            {
                error = new { message = $"injected {status}", type = status >= 500 ? "server_error" : "invalid_request_error", param = (string?)null, code = (string?)null },
            }, context.RequestAborted);
            return true;
        };
    }

    public static bool Matches(HttpRequest request, string method, string pathSuffix) =>
        request.Method == method && request.Path.Value!.EndsWith(pathSuffix, StringComparison.Ordinal);
}
