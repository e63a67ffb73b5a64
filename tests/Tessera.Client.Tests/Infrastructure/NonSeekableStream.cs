namespace Tessera.Client.Tests;

/// <summary>Bytes that can be read once, front to back, like standard input.</summary>
public sealed class NonSeekableStream(byte[] bytes) : ReadOnlyStream
{
    private readonly MemoryStream _inner = new(bytes);

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
}
