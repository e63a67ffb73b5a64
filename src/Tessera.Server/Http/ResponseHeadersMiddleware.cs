namespace Tessera.Server.Http;

/// <summary>
/// Headers every answer carries (docs/api.md section 1): <c>X-Content-Type-Options: nosniff</c>, so a browser never
/// runs a stored file or an error as the type it guesses, and <c>Cache-Control: no-store</c>, so no cache on the
/// way or in a browser keeps a project's files or listings. An endpoint that may be cached says so itself (the web
/// console's assets, revalidated on each load).
/// </summary>
internal sealed class ResponseHeadersMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-store";
        return next(context);
    }
}
