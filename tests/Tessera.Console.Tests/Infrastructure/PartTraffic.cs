using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Tessera.Console.Tests.Infrastructure;

/// <summary>
/// Sits in front of the real server's pipeline and counts, on the server's side, the part requests
/// (<c>POST .../uploads/{id}/parts</c>) the page sent: every one that arrived, the ones stored, and the most in
/// flight at once; and, for each upload, the part-list requests (<c>GET .../uploads/{id}/parts</c>), which the page
/// sends only to resume. What the page claims about itself is not
/// evidence; this is.
/// </summary>
public sealed class PartTraffic
{
    private readonly ConcurrentDictionary<string, int> _arrivedByUpload = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _listingsByUpload = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<long> _storedBodyLengths = new();
    private int _arrived;
    private int _stored;
    private int _inFlight;
    private int _mostInFlight;

    /// <summary>Part requests that reached the server, whatever became of them.</summary>
    public int Arrived => Volatile.Read(ref _arrived);

    /// <summary>Part requests the server answered with 200.</summary>
    public int Stored => Volatile.Read(ref _stored);

    public int MostInFlight => Volatile.Read(ref _mostInFlight);

    /// <summary>Part requests the server is handling now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The <c>Content-Length</c> of each stored part's request: the part's bytes plus the multipart framing.</summary>
    public IReadOnlyList<long> StoredBodyLengths => [.. _storedBodyLengths];

    public int ArrivedFor(string uploadId) => _arrivedByUpload.GetValueOrDefault(uploadId);

    /// <summary>Part-list requests for the upload that reached the server.</summary>
    public int ListingsFor(string uploadId) => _listingsByUpload.GetValueOrDefault(uploadId);

    public void Register(IServiceCollection services) => services.AddSingleton<IStartupFilter>(new Filter(this));

    private async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var segments = context.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var isPart = HttpMethods.IsPost(context.Request.Method) && segments is [.., "uploads", _, "parts"];
        if (HttpMethods.IsGet(context.Request.Method) && segments is [.., "uploads", _, "parts"])
        {
            _listingsByUpload.AddOrUpdate(segments[^2], 1, (_, count) => count + 1);
        }

        if (!isPart)
        {
            await next(context);
            return;
        }

        _arrivedByUpload.AddOrUpdate(segments[^2], 1, (_, count) => count + 1);
        Interlocked.Increment(ref _arrived);
        var inFlight = Interlocked.Increment(ref _inFlight);
        int most;
        while (inFlight > (most = Volatile.Read(ref _mostInFlight)) && Interlocked.CompareExchange(ref _mostInFlight, inFlight, most) != most)
        {
        }

        try
        {
            await next(context);
            if (context.Response.StatusCode == StatusCodes.Status200OK)
            {
                Interlocked.Increment(ref _stored);
                _storedBodyLengths.Enqueue(context.Request.ContentLength ?? -1);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private sealed class Filter(PartTraffic traffic) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(traffic.InvokeAsync);
            next(app);
        };
    }
}
