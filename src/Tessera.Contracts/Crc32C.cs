using System.Buffers.Binary;
using System.IO.Hashing;

namespace Tessera.Contracts;

/// <summary>
/// CRC32C (Castagnoli), the checksum of every part and file: computed while bytes stream, written on the wire as S3
/// writes it (the base64 of its four bytes, most significant first), and combinable, so the checksum of a file
/// follows from its parts' checksums and lengths without reading a byte of them again.
/// </summary>
public static class Crc32C
{
    // The Castagnoli polynomial, bit-reversed as the CRC is computed.
    private const uint ReversedPolynomial = 0x82F63B78;

    // X2n[k] is x^(2^k) modulo the polynomial: raising x to a length in bits takes one multiplication per set bit.
    private static readonly uint[] X2n = PowersOfX();

    /// <summary>A new incremental CRC32C; <see cref="Crc32.GetCurrentHashAsUInt32"/> gives its value.</summary>
    public static Crc32 Create() => new(Crc32ParameterSet.Crc32C);

    /// <summary>The CRC32C of <paramref name="bytes"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> bytes)
    {
        var crc = Create();
        crc.Append(bytes);
        return crc.GetCurrentHashAsUInt32();
    }

    /// <summary>
    /// The CRC32C of the bytes whose CRC32C is <paramref name="first"/> followed by <paramref name="secondLength"/>
    /// bytes whose CRC32C is <paramref name="second"/> (zlib's <c>crc32_combine</c>), in time that grows with the
    /// number of bits in <paramref name="secondLength"/>.
    /// </summary>
    public static uint Combine(uint first, uint second, long secondLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(secondLength);
        return MultiplyModP(XToThePowerOf8N(secondLength), first) ^ second;
    }

    /// <summary>The CRC32C of pieces laid end to end, from each piece's CRC32C and length; 0 (the empty CRC) for none.</summary>
    public static uint Combine(IEnumerable<(uint Crc32C, long Bytes)> pieces)
    {
        uint combined = 0;
        foreach (var (crc, bytes) in pieces)
        {
            combined = Combine(combined, crc, bytes);
        }

        return combined;
    }

    /// <summary>The checksum as headers carry it: the base64 of its four bytes, most significant first.</summary>
    public static string ToHeaderValue(uint crc)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, crc);
        return Convert.ToBase64String(bytes);
    }

    /// <summary>Reads a header value written as <see cref="ToHeaderValue"/> writes it; false for anything else.</summary>
    public static bool TryParseHeaderValue(string? text, out uint crc)
    {
        crc = 0;
        Span<byte> bytes = stackalloc byte[6];
        if (text is not { Length: 8 } || !Convert.TryFromBase64String(text, bytes, out var written) || written != 4)
        {
            return false;
        }

        crc = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        return true;
    }

    // Multiplies two polynomials modulo the CRC's polynomial, in the CRC's reflected bit order.
    private static uint MultiplyModP(uint a, uint b)
    {
        uint product = 0;
        for (var bit = 1u << 31; bit != 0; bit >>= 1)
        {
            if ((a & bit) != 0)
            {
                product ^= b;
                if ((a & (bit - 1)) == 0)
                {
                    break;
                }
            }

            b = (b & 1) != 0 ? (b >> 1) ^ ReversedPolynomial : b >> 1;
        }

        return product;
    }

    // x^(8n) modulo the polynomial: appending n zero bytes multiplies a CRC by it.
    private static uint XToThePowerOf8N(long n)
    {
        var power = 1u << 31; // x^0
        for (var k = 3; n != 0; n >>= 1, k++)
        {
            if ((n & 1) != 0)
            {
                power = MultiplyModP(X2n[k & 31], power);
            }
        }

        return power;
    }

    private static uint[] PowersOfX()
    {
        var table = new uint[32];
        var power = 1u << 30; // x^1
        table[0] = power;
        for (var k = 1; k < table.Length; k++)
        {
            table[k] = power = MultiplyModP(power, power);
        }

        return table;
    }
}
