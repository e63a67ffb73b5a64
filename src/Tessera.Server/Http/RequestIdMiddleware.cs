using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.Features;
using Tessera.Server.Telemetry;

namespace Tessera.Server.Http;

/// <summary>
/// Every request's id, <c>req_</c> + 32 hex digits: sent as <c>x-request-id</c> on every response and carried by the
/// <c>RequestId</c> of the logging scope that ASP.NET Core opens for each request, so every log line written while
/// serving it names it.
/// </summary>
internal sealed class RequestIdMiddleware(RequestDelegate next)
{
    public const string HeaderName = "x-request-id";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.Headers[HeaderName] = context.TraceIdentifier;
        // The server span (there is one only while a tracer listens) carries it too, so a trace and a log line meet;
        // a span that is not sampled is never exported, so it is spared the tag.
        if (Activity.Current is { IsAllDataRequested: true } span)
        {
            span.SetTag(TesseraTelemetry.RequestIdAttribute, context.TraceIdentifier);
        }
        return next(context);
    }

    public static string NewRequestId() => "req_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// Gives each request its id as it is created. The hosting layer copies <see cref="HttpContext.TraceIdentifier"/>
    /// into its request logging scope right after this, before any middleware runs, so a middleware would be too late.
    /// </summary>
    internal sealed class ContextFactory(IServiceProvider services) : IHttpContextFactory
    {
        private readonly DefaultHttpContextFactory _inner = new(services);

        public HttpContext Create(IFeatureCollection featureCollection)
        {
            var context = _inner.Create(featureCollection);
            context.TraceIdentifier = NewRequestId();
            return context;
        }

        public void Dispose(HttpContext httpContext) => _inner.Dispose(httpContext);
    }
}
