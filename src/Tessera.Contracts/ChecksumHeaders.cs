namespace Tessera.Contracts;

/// <summary>
/// Tessera's checksum headers (docs/api.md): headers rather than fields, so OpenAI's objects stay as OpenAI defines them.
/// </summary>
public static class ChecksumHeaders
{
    /// <summary>
    /// The CRC32C of a part or a whole file, as <see cref="Crc32C.ToHeaderValue"/> writes it: on a request, checked before
    /// the request is acted on; on an answer, the checksum the server recorded.
    /// </summary>
    public const string Crc32C = "x-tessera-checksum-crc32c";

    /// <summary>On the create-upload answer: the checksums this server computes for every part, comma-separated.</summary>
    public const string Algorithms = "x-tessera-checksum-algorithms";

    /// <summary>The value of <see cref="Algorithms"/> that Tessera sends.</summary>
    public const string Crc32CAlgorithm = "crc32c";
}
