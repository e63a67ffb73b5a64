using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Tessera.Console.Tests.Infrastructure;

/// <summary>
/// Damages the first part requests the server receives (<see cref="Times"/> of them) on their way in: one byte of
/// each body, well inside the part's data (past the multipart headers), is flipped before Tessera reads it, as a
/// faulty network or proxy would. Only the checksum the client sent with the part can tell.
/// </summary>
public sealed class PartDamage
{
    /// <summary>Where in the request body the byte is flipped: past the multipart headers, inside a part of the tests' size.</summary>
    private const long Offset = 64 * 1024;

    private readonly ConcurrentQueue<int> _answers = new();
    private int _damaged;

    /// <summary>The upload whose part was damaged, once one was.</summary>
    public string? DamagedUpload { get; private set; }

    /// <summary>How many part requests are damaged, the first ones to arrive: one unless a test sets more before it sends.</summary>
    public int Times { get; set; } = 1;

    public bool Done => Volatile.Read(ref _damaged) >= Times;

    /// <summary>The status the server answered each damaged request with.</summary>
    public IReadOnlyList<int> Answers => [.. _answers];

    public void Register(IServiceCollection services) => services.AddSingleton<IStartupFilter>(new Filter(this));

    private async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var segments = context.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (!HttpMethods.IsPost(context.Request.Method) || segments is not [.., "uploads", _, "parts"]
            || Interlocked.Increment(ref _damaged) > Times)
        {
            await next(context);
            return;
        }

        DamagedUpload = segments[^2];
        context.Request.Body = new FlippingStream(context.Request.Body, Offset);
        await next(context);
        _answers.Enqueue(context.Response.StatusCode);
    }

    private sealed class Filter(PartDamage damage) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(damage.InvokeAsync);
            next(app);
        };
    }

    /// <summary>Reads through to the real body and inverts the byte at one offset.</summary>
    private sealed class FlippingStream(Stream inner, long offset) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Flip(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            return Flip(buffer.Span[..read]);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Flip(Span<byte> read)
        {
            if (offset >= _position && offset < _position + read.Length)
            {
                read[(int)(offset - _position)] ^= 0xFF;
            }

            _position += read.Length;
            return read.Length;
        }
    }
}
