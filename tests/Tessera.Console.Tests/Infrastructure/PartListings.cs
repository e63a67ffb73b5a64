using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Tessera.Console.Tests.Infrastructure;

/// <summary>
/// Counts, on the server's side, the part-list requests (<c>GET .../uploads/{id}/parts</c>) that reached it for each
/// upload: the page asks for that list to compare its parts' MD5s with the server's, and for nothing else while it
/// sends a new upload.
/// </summary>
public sealed class PartListings
{
    private readonly ConcurrentDictionary<string, int> _byUpload = new(StringComparer.Ordinal);

    public int For(string uploadId) => _byUpload.GetValueOrDefault(uploadId);

    public void Register(IServiceCollection services) => services.AddSingleton<IStartupFilter>(new Filter(this));

    private Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var segments = context.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (HttpMethods.IsGet(context.Request.Method) && segments is [.., "uploads", _, "parts"])
        {
            _byUpload.AddOrUpdate(segments[^2], 1, (_, count) => count + 1);
        }

        return next(context);
    }

    private sealed class Filter(PartListings listings) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(listings.InvokeAsync);
            next(app);
        };
    }
}
