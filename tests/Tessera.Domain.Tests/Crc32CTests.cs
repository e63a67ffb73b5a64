using System.Text;
using Tessera.Contracts;

namespace Tessera.Domain.Tests;

public sealed class Crc32CTests
{
    [Fact]
    public void The_checksum_of_the_standard_check_string_is_the_published_one()
    {
        // RFC 3720 B.4 and every CRC catalogue: CRC-32C of "123456789" is 0xE3069283.
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
    }

    [Theory]
    [InlineData(new[] { 1 })]
    [InlineData(new[] { 0, 7 })]
    [InlineData(new[] { 5, 0, 3 })]
    [InlineData(new[] { 1, 1, 1, 1, 1, 1, 1 })]
    [InlineData(new[] { 4096, 1, 65_537, 3 })]
    [InlineData(new[] { 1 << 20, (1 << 20) + 13, 999_999 })]
    public void Combining_pieces_gives_the_checksum_of_their_bytes_laid_end_to_end(int[] lengths)
    {
        var bytes = new byte[lengths.Sum()];
        new Random(lengths.Length * 7919 + bytes.Length).NextBytes(bytes);

        var pieces = new List<(uint, long)>();
        var offset = 0;
        foreach (var length in lengths)
        {
            pieces.Add((Crc32C.Compute(bytes.AsSpan(offset, length)), length));
            offset += length;
        }

        Assert.Equal(Crc32C.Compute(bytes), Crc32C.Combine(pieces));
    }

    [Fact]
    public void No_pieces_combine_to_the_checksum_of_no_bytes()
    {
        Assert.Equal(Crc32C.Compute([]), Crc32C.Combine([]));
        Assert.Equal("AAAAAA==", Crc32C.ToHeaderValue(Crc32C.Combine([])));
    }

    [Fact]
    public void Header_values_are_the_base64_of_the_four_bytes_most_significant_first()
    {
        Assert.Equal("4waSgw==", Crc32C.ToHeaderValue(0xE3069283));
        Assert.True(Crc32C.TryParseHeaderValue("4waSgw==", out var crc));
        Assert.Equal(0xE3069283u, crc);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("4waSgw")]
    [InlineData("4waSgwAA")]
    [InlineData("4waSgw==x")]
    [InlineData("e3069283")]
    [InlineData("!!!!!!==")]
    public void Anything_but_the_base64_of_four_bytes_is_not_a_header_value(string? text)
    {
        Assert.False(Crc32C.TryParseHeaderValue(text, out _));
    }
}
