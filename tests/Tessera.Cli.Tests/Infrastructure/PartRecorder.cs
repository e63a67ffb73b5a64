using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Tessera.Cli.Tests.Infrastructure;

/// <summary>
/// Sits in front of a real server's pipeline and records, on the server's side, what the CLI sent: every request,
/// the parts it received and stored, how many were in flight at once. It can also hold every part after the first
/// <see cref="AcceptOnlyParts"/> stored ones, or a file's content after <see cref="SendContentBytesThenHold"/> bytes,
/// so a test can kill or interrupt the CLI at a known point.
/// </summary>
public sealed class PartRecorder
{
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentQueue<string> _ranges = new();
    private int _partsStored;
    private int _partsAdmitted;
    private int _inFlight;
    private int _mostInFlight;

    /// <summary>After this many parts, further parts are held (never reach the server) until the test ends.</summary>
    public int? AcceptOnlyParts { get; set; }

    /// <summary>Completes when a part beyond <see cref="AcceptOnlyParts"/> has arrived and been held.</summary>
    public TaskCompletionSource PartHeld { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When set, a file's content is sent up to this many bytes, then held until the client goes away.</summary>
    public long? SendContentBytesThenHold { get; set; }

    /// <summary>Completes when a file's content has been held after <see cref="SendContentBytesThenHold"/> bytes.</summary>
    public TaskCompletionSource ContentHeld { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int PartsStored => Volatile.Read(ref _partsStored);

    public int MostPartsInFlight => Volatile.Read(ref _mostInFlight);

    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>The <c>Range</c> headers of content requests.</summary>
    public IReadOnlyList<string> Ranges => [.. _ranges];

    public void ResetCounts()
    {
        _requests.Clear();
        Interlocked.Exchange(ref _partsStored, 0);
        Interlocked.Exchange(ref _partsAdmitted, 0);
        Interlocked.Exchange(ref _mostInFlight, 0);
        AcceptOnlyParts = null;
    }

    public Task<TesseraTestServer> StartServerAsync(bool openMode = false) =>
        TesseraTestServer.StartAsync(openMode, configureServices: services => services.AddSingleton<IStartupFilter>(new Filter(this)));

    private async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        _requests.Enqueue($"{request.Method} {request.Path}");
        if (request.Headers.Range.Count > 0)
        {
            _ranges.Enqueue(request.Headers.Range.ToString());
        }

        if (SendContentBytesThenHold is { } sent && HttpMethods.IsGet(request.Method) && request.Path.Value!.EndsWith("/content", StringComparison.Ordinal))
        {
            context.Response.Body = new HoldingStream(context.Response.Body, sent, ContentHeld, context.RequestAborted);
        }

        var isPart = HttpMethods.IsPost(request.Method) && request.Path.Value!.EndsWith("/parts", StringComparison.Ordinal);
        if (!isPart)
        {
            await next(context);
            return;
        }

        if (AcceptOnlyParts is { } limit && Interlocked.Increment(ref _partsAdmitted) > limit)
        {
            PartHeld.TrySetResult();
            // Held until the client goes away: the part is never stored.
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }

        var inFlight = Interlocked.Increment(ref _inFlight);
        int most;
        while (inFlight > (most = Volatile.Read(ref _mostInFlight)) && Interlocked.CompareExchange(ref _mostInFlight, inFlight, most) != most)
        {
        }

        try
        {
            // Long enough that parallel parts overlap for sure.
            await Task.Delay(TimeSpan.FromMilliseconds(100), context.RequestAborted);
            await next(context);
            if (context.Response.StatusCode == StatusCodes.Status200OK)
            {
                Interlocked.Increment(ref _partsStored);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>A response body that passes on its first bytes, then holds every write until the client goes away.</summary>
    private sealed class HoldingStream(Stream inner, long passOn, TaskCompletionSource held, CancellationToken clientGone) : Stream
    {
        private long _passed;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var room = (int)Math.Min(buffer.Length, passOn - _passed);
            if (room > 0)
            {
                await inner.WriteAsync(buffer[..room], cancellationToken);
                await inner.FlushAsync(cancellationToken);
                _passed += room;
            }

            if (room < buffer.Length)
            {
                held.TrySetResult();
                await Task.Delay(Timeout.Infinite, clientGone);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    private sealed class Filter(PartRecorder recorder) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(recorder.InvokeAsync);
            next(app);
        };
    }
}
