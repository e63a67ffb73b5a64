using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Tessera.Client.Tests.Infrastructure;

/// <summary>
/// Sits in front of the real server's pipeline: records every request it sees (what the server received, for
/// assertions made on the server's side), how many part requests were in flight at once, and can answer a request
/// itself (a fault) instead of passing it on.
/// </summary>
public sealed class ServerSideRecorder
{
    private readonly ConcurrentQueue<string> _requests = new();
    private int _partsInFlight;
    private int _mostPartsInFlight;

    /// <summary>Answers a request instead of the server when it returns true.</summary>
    public Func<HttpContext, Task<bool>>? Intercept { get; set; }

    /// <summary>Holds each part request this long before the server sees it, so parallel parts overlap for sure.</summary>
    public TimeSpan PartDelay { get; set; }

    /// <summary>Every request seen, as <c>METHOD /path</c>.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    public int MostPartsInFlight => Volatile.Read(ref _mostPartsInFlight);

    public int Count(string method, string pathSuffix) =>
        _requests.Count(r => r.StartsWith(method + " ", StringComparison.Ordinal) && r.EndsWith(pathSuffix, StringComparison.Ordinal));

    public void Clear() => _requests.Clear();

    /// <summary>A server with this recorder in front of its pipeline.</summary>
    public Task<TesseraTestServer> StartServerAsync(bool openMode = false) =>
        TesseraTestServer.StartAsync(openMode, configureServices: services => services.AddSingleton<IStartupFilter>(new Filter(this)));

    private async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        _requests.Enqueue($"{request.Method} {request.Path}");
        if (Intercept is { } intercept && await intercept(context))
        {
            return;
        }

        var isPart = HttpMethods.IsPost(request.Method) && request.Path.Value!.EndsWith("/parts", StringComparison.Ordinal);
        if (!isPart)
        {
            await next(context);
            return;
        }

        var inFlight = Interlocked.Increment(ref _partsInFlight);
        int most;
        while (inFlight > (most = Volatile.Read(ref _mostPartsInFlight)) && Interlocked.CompareExchange(ref _mostPartsInFlight, inFlight, most) != most)
        {
        }

        try
        {
            if (PartDelay > TimeSpan.Zero)
            {
                await Task.Delay(PartDelay, context.RequestAborted);
            }

            await next(context);
        }
        finally
        {
            Interlocked.Decrement(ref _partsInFlight);
        }
    }

    private sealed class Filter(ServerSideRecorder recorder) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(recorder.InvokeAsync);
            next(app);
        };
    }
}
