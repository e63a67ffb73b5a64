using Tessera.Contracts;

namespace Tessera.Client;

/// <summary>
/// A file's bytes as they arrive (a stream over the open response); dispose it to release the connection. When the
/// server sent the file's CRC32C (<see cref="Crc32C"/>), reading <see cref="Stream"/> to its end checks it and throws
/// <see cref="ChecksumMismatchException"/> from that last read if the bytes differ.
/// </summary>
public sealed class FileContent : IAsyncDisposable, IDisposable
{
    private readonly HttpResponseMessage _response;

    internal FileContent(HttpResponseMessage response, Stream stream, long offset)
    {
        _response = response;
        Stream = stream;
        Offset = offset;
        Length = response.Content.Headers.ContentLength;
        TotalLength = response.Content.Headers.ContentRange?.Length ?? (offset == 0 ? Length : null);
        ETag = response.Headers.ETag?.Tag;
        Crc32C = TesseraClient.HeaderOf(response, ChecksumHeaders.Crc32C);
    }

    /// <summary>The bytes from <see cref="Offset"/> on.</summary>
    public Stream Stream { get; }

    /// <summary>Where <see cref="Stream"/> starts in the file (what was asked for with <c>Range</c>, or 0).</summary>
    public long Offset { get; }

    /// <summary>How many bytes <see cref="Stream"/> holds; null when the server did not say.</summary>
    public long? Length { get; }

    /// <summary>The whole file's size; null when the server did not say.</summary>
    public long? TotalLength { get; }

    /// <summary>The file's entity tag, for an <c>If-Range</c> on a later resumed download; null when none was sent.</summary>
    public string? ETag { get; }

    /// <summary>
    /// The WHOLE file's CRC32C as the server recorded it (<c>x-tessera-checksum-crc32c</c>, in the header encoding),
    /// also when <see cref="Offset"/> is above 0; null when the server sent none (OpenAI's, or a file stored before
    /// checksums existed): then nothing is checked.
    /// </summary>
    public string? Crc32C { get; }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        _response.Dispose();
    }

    public void Dispose()
    {
        Stream.Dispose();
        _response.Dispose();
    }
}
