using Tessera.Server.Http;

namespace Tessera.Server.Ingest;

/// <summary>
/// Passes reads through and throws the moment more than <c>maxBytes</c> have come, so an oversized body is
/// refused as soon as it crosses the limit, not after it has all arrived.
/// </summary>
internal sealed class SizeLimitedStream(Stream inner, long maxBytes, Func<Exception> tooLarge) : ReadOnlyBodyStream
{
    private long _read;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        _read += read;
        return _read > maxBytes ? throw tooLarge() : read;
    }
}
