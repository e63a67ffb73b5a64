using System.Security.Cryptography;

namespace Tessera.Server.Http;

/// <summary>Gives every request an id, <c>req_</c> + 32 hex digits, sent as <c>x-request-id</c> on every response and used in the logs.</summary>
internal sealed class RequestIdMiddleware(RequestDelegate next)
{
    public const string HeaderName = "x-request-id";

    public Task InvokeAsync(HttpContext context)
    {
        var requestId = "req_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        context.TraceIdentifier = requestId;
        context.Response.Headers[HeaderName] = requestId;
        return next(context);
    }
}
