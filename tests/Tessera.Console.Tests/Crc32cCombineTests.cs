using System.Text.Json;
using Tessera.Console.Tests.Infrastructure;
using Tessera.Contracts;

namespace Tessera.Console.Tests;

// The page's own modules, run in Chromium; the postgres-s3 rerun leaves the browser out.
[Trait("Storage", "embedded")]
public sealed class Crc32cCombineTests(Chromium chromium) : ConsoleTest(chromium)
{
    /// <summary>
    /// For each case: bytes made by a fixed recipe, cut into pieces of the given sizes; the pieces' CRC32Cs (hash-wasm)
    /// combined by the page's module, beside hash-wasm's CRC32C of all the bytes at once.
    /// </summary>
    private const string CombineCases = """
        async (cases) => {
          const { crc32cOfPieces } = await import('/console/crc32c-combine.js');
          await import('/console/vendor/hash-wasm/crc32.umd.min.js');
          const direct = async (bytes) => Number.parseInt(await globalThis.hashwasm.crc32(bytes, 0x82f63b78), 16) >>> 0;
          const results = [];
          for (const sizes of cases) {
            const total = sizes.reduce((sum, size) => sum + size, 0);
            const bytes = new Uint8Array(total);
            for (let i = 0; i < total; i += 1) bytes[i] = (i * 7919 + (i >> 9)) & 0xff;
            const pieces = [];
            let offset = 0;
            for (const size of sizes) {
              pieces.push({ crc: await direct(bytes.subarray(offset, offset + size)), bytes: size });
              offset += size;
            }
            results.push({ combined: crc32cOfPieces(pieces), direct: await direct(bytes) });
          }
          return results;
        }
        """;

    [Fact]
    public async Task The_page_combines_part_CRC32Cs_into_the_CRC32C_of_the_whole_for_one_many_odd_sized_and_empty_parts()
    {
        int[][] cases =
        [
            [1_000_000],
            [PartSize, PartSize, PartSize, 17],
            [1, 2, 3, 5, 8, 13, 4099, 65_537, 1_000_003],
            [0],
            [],
            [0, 12_345, 0, 1],
        ];
        await Page.GotoAsync("/console");

        var results = await Page.EvaluateAsync<JsonElement>(CombineCases, cases);

        Assert.Equal(cases.Length, results.GetArrayLength());
        foreach (var (result, sizes) in results.EnumerateArray().Zip(cases))
        {
            var direct = result.GetProperty("direct").GetUInt32();
            Assert.True(direct == result.GetProperty("combined").GetUInt32(), $"Pieces of [{string.Join(", ", sizes)}] bytes combine to another CRC32C than the whole's.");
            Assert.Equal(Crc32C.Compute(Recipe(sizes.Sum())), direct);
        }
    }

    [Fact]
    public async Task The_page_combines_as_the_server_does_for_pieces_past_4_GiB()
    {
        long[] lengths = [0, 1, 4_294_967_296, 4_294_967_303, 8_000_000_000, 9_007_199_254_740_991];
        await Page.GotoAsync("/console");

        var combined = await Page.EvaluateAsync<uint[]>("""
            async (lengths) => {
              const { crc32cCombine } = await import('/console/crc32c-combine.js');
              return lengths.map((length) => crc32cCombine(0x12345678, 0x9abcdef0, length));
            }
            """, lengths);

        Assert.Equal(lengths.Select(length => Crc32C.Combine(0x12345678, 0x9abcdef0, length)), combined);
    }

    /// <summary>The bytes the page's script makes, the same recipe in C#.</summary>
    private static byte[] Recipe(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)((i * 7919) + (i >> 9));
        }

        return bytes;
    }
}
