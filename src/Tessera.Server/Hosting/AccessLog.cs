using Microsoft.AspNetCore.HttpLogging;

namespace Tessera.Server.Hosting;

/// <summary>
/// One access line per request through ASP.NET Core's HTTP logging: method, path, query, status, duration, the
/// declared request and response sizes, and the request id. Logged at Information under the category
/// <c>Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware</c>, so an operator turns it off or on there.
/// No header and no body is logged: keys and file content never reach the log.
/// </summary>
internal sealed class AccessLog : IHttpLoggingInterceptor
{
    public static IServiceCollection AddAccessLog(IServiceCollection services)
    {
        services.AddHttpLogging(logging =>
        {
            logging.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath
                | HttpLoggingFields.RequestQuery | HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration;
            logging.CombineLogs = true;
        });
        services.AddHttpLoggingInterceptor<AccessLog>();
        return services;
    }

    public ValueTask OnRequestAsync(HttpLoggingInterceptorContext logContext)
    {
        logContext.AddParameter("RequestBytes", logContext.HttpContext.Request.ContentLength);
        return ValueTask.CompletedTask;
    }

    public ValueTask OnResponseAsync(HttpLoggingInterceptorContext logContext)
    {
        // Content-Length when the response declared one; a streamed JSON answer has none.
        logContext.AddParameter("ResponseBytes", logContext.HttpContext.Response.ContentLength);
        logContext.AddParameter("RequestId", logContext.HttpContext.TraceIdentifier);
        return ValueTask.CompletedTask;
    }
}
