namespace Tessera.Client;

/// <summary>
/// Bytes were damaged between this machine and the server: a part still arrived damaged after being sent again, an
/// answer named another checksum than the bytes sent, or a downloaded file's bytes do not add up to the CRC32C the
/// server recorded for it. The message says what to do; nothing damaged was kept.
/// </summary>
public sealed class ChecksumMismatchException : IOException
{
    public ChecksumMismatchException(string message, string expected, string? actual)
        : base(message)
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The CRC32C the bytes should have had, in the header encoding (base64 of four big-endian bytes).</summary>
    public string Expected { get; }

    /// <summary>The CRC32C they had, in the same encoding; null when the server only said that they differ.</summary>
    public string? Actual { get; }
}
