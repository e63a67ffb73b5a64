using System.Buffers.Text;

namespace Tessera.Domain;

/// <summary>The 16 bytes of an MD5 digest, read from the hex (any case) or base64 a client sends.</summary>
public static class Md5Checksum
{
    /// <summary>Parses 32 hex digits or the base64 of 16 bytes; returns null for anything else.</summary>
    public static byte[]? TryParse(string text)
    {
        if (text.Length == 32 && text.All(char.IsAsciiHexDigit))
        {
            return Convert.FromHexString(text);
        }

        Span<byte> digest = stackalloc byte[18];
        if (text.Length == 24 && Base64.IsValid(text, out var decodedLength) && decodedLength == 16
            && Convert.TryFromBase64String(text, digest, out var written) && written == 16)
        {
            return digest[..16].ToArray();
        }

        return null;
    }
}
