using Tessera.Contracts;
using Tessera.Domain;

namespace Tessera.Server.Apis;

/// <summary>
/// The <c>x-tessera-checksum-crc32c</c> header (docs/api.md section 6): on a request, the CRC32C the client computed,
/// checked before the request is acted on; on an answer, the CRC32C the server recorded.
/// </summary>
internal static class ChecksumHeader
{
    /// <summary>The CRC32C the request carries, or null when it carries none; a malformed one is refused.</summary>
    public static uint? Expected(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(ChecksumHeaders.Crc32C, out var values))
        {
            return null;
        }

        var text = values.ToString();
        return values.Count == 1 && Crc32C.TryParseHeaderValue(text, out var crc)
            ? crc
            : throw ApiErrors.InvalidChecksumHeader(ChecksumHeaders.Crc32C, text);
    }

    /// <summary>Refuses <paramref name="actual"/> when the request said to expect another value.</summary>
    public static void Matches(uint? expected, uint actual, string what, string consequence)
    {
        if (expected is { } value && value != actual)
        {
            throw ApiErrors.ChecksumMismatch(what, Crc32C.ToHeaderValue(value), Crc32C.ToHeaderValue(actual), consequence);
        }
    }

    /// <summary>Puts the recorded checksum on the answer; nothing when none was recorded (data stored before checksums).</summary>
    public static void Write(HttpResponse response, uint? crc)
    {
        if (crc is { } value)
        {
            response.Headers[ChecksumHeaders.Crc32C] = Crc32C.ToHeaderValue(value);
        }
    }
}
