using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tessera.Contracts;

namespace Tessera.Testing;

/// <summary>
/// An HTTP proxy on a loopback port that forwards every request to a server and its answer back, streaming both
/// ways, as a network between a client and the server would. It damages what it is told to: one byte of the body of
/// the first <see cref="PartsToDamage"/> part requests (<c>POST .../parts</c>), flipped in the middle of the body as
/// a faulty link would; and it can hide the server's checksum announcement, as OpenAI's server sends none. It
/// records what went through.
/// </summary>
public sealed class ByteFlippingProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _forward = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly Uri _target;
    private readonly ConcurrentQueue<ProxiedRequest> _requests = new();
    private int _partsDamaged;

    private ByteFlippingProxy(Uri target)
    {
        _target = target;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);
        _app = builder.Build();
        _app.Run(ForwardAsync);
    }

    /// <summary>How many part requests, counted from the first, get one byte flipped (default 1).</summary>
    public int PartsToDamage { get; set; } = 1;

    /// <summary>Whether <c>x-tessera-checksum-algorithms</c> is taken out of answers, so a client sees a server that does not check CRC32C.</summary>
    public bool HideChecksumAnnouncement { get; set; }

    /// <summary>
    /// Whether completions are held, never forwarded, until the client goes away: a test can then stop a client that
    /// has sent every part but not completed.
    /// </summary>
    public bool HoldCompletions { get; set; }

    /// <summary>Completes when a completion has arrived and is being held (see <see cref="HoldCompletions"/>).</summary>
    public TaskCompletionSource CompletionHeld { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The proxy's root plus <c>v1/</c>: what a client configures instead of the server's.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every request forwarded, in the order they arrived.</summary>
    public IReadOnlyList<ProxiedRequest> Requests => [.. _requests];

    /// <summary>How many part requests had a byte flipped.</summary>
    public int PartsDamaged => Math.Min(Volatile.Read(ref _partsDamaged), PartsToDamage);

    /// <summary>The part requests (<c>POST .../parts</c>) forwarded.</summary>
    public int PartRequests => _requests.Count(r => r.IsPart);

    /// <summary>A proxy in front of the server whose root is <paramref name="serverRoot"/>.</summary>
    public static async Task<ByteFlippingProxy> StartAsync(Uri serverRoot)
    {
        var proxy = new ByteFlippingProxy(serverRoot);
        await proxy._app.StartAsync();
        var address = proxy._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy.BaseAddress = new Uri(address.TrimEnd('/') + "/v1/");
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _forward.Dispose();
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        var isPart = HttpMethods.IsPost(request.Method) && request.Path.Value!.EndsWith("/parts", StringComparison.Ordinal);
        var isComplete = HttpMethods.IsPost(request.Method) && request.Path.Value!.EndsWith("/complete", StringComparison.Ordinal);
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_target, request.Path.Value!.TrimStart('/') + request.QueryString));
        Stream body = request.Body;
        string? recordedBody = null;
        if (isPart && request.ContentLength is { } length && Interlocked.Increment(ref _partsDamaged) <= PartsToDamage)
        {
            body = new ByteFlippingStream(body, length / 2);
        }
        else if (isComplete)
        {
            // A completion is a small JSON body: kept whole so a test can see what the client asked for.
            using var reader = new StreamReader(request.Body);
            recordedBody = await reader.ReadToEndAsync(context.RequestAborted);
            body = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(recordedBody));
        }

        if (request.ContentLength is not null || request.Headers.TransferEncoding.Count > 0)
        {
            message.Content = new StreamContent(body);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        _requests.Enqueue(new ProxiedRequest(request.Method, request.Path.Value!, request.Headers[ChecksumHeaders.Crc32C].FirstOrDefault(), recordedBody, isPart));
        if (isComplete && HoldCompletions)
        {
            CompletionHeld.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }

        using var response = await _forward.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
                || (HideChecksumAnnouncement && name.Equals(ChecksumHeaders.Algorithms, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            context.Response.Headers[name] = values.ToArray();
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    /// <summary>A request body with the byte at <paramref name="position"/> inverted.</summary>
    private sealed class ByteFlippingStream(Stream inner, long position) : ReadOnlyStream
    {
        private long _read;

        public override int Read(byte[] buffer, int offset, int count) => Flip(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            return Flip(buffer.Span[..read]);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Flip(Span<byte> read)
        {
            if (position >= _read && position < _read + read.Length)
            {
                read[(int)(position - _read)] ^= 0xFF;
            }

            _read += read.Length;
            return read.Length;
        }
    }
}

/// <summary>One request the proxy forwarded: its method and path, the CRC32C header it carried, and its body for a completion.</summary>
public sealed record ProxiedRequest(string Method, string Path, string? Crc32C, string? Body, bool IsPart);
