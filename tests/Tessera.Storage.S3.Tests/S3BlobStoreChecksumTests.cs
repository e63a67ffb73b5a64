using System.Globalization;
using Tessera.Contracts;
using Tessera.Testing.Engines;

namespace Tessera.Storage.S3.Tests;

/// <summary>
/// What a write tells the store about its bytes, as the S3 engine recorded it: every request that carries bytes names
/// their CRC32C, computed here directly from the source, and no other checksum (the SDK computes none of its own).
/// </summary>
public sealed class S3BlobStoreChecksumTests : IAsyncLifetime
{
    private const int PartBytes = 5 << 20;
    private const string Crc32CHeader = "x-amz-checksum-crc32c";

    private S3TestBucket _bucket = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _bucket = await S3TestBucket.CreateAsync(await S3Engine.SharedAsync(), Token);

    public ValueTask DisposeAsync()
    {
        _bucket.Dispose();
        return ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(PartBytes - 1)]
    public async Task A_blob_shorter_than_a_part_is_put_with_its_CRC32C_and_no_other_checksum(int length)
    {
        var source = BytesOf(length, seed: 21);

        var written = await _bucket.Store.WriteAsync("blob_small", new PatternStream(length, seed: 21), Token);

        var expected = Crc32C.Compute(source);
        Assert.Equal(expected, written.Crc32C);
        var put = Assert.Single(_bucket.Requests(S3RequestKind.PutObject));
        Assert.Equal(new Dictionary<string, string> { [Crc32CHeader] = Crc32C.ToHeaderValue(expected) }, put.Checksums.Headers);
    }

    [Theory]
    [InlineData(PartBytes)]
    [InlineData((2 * PartBytes) + 12_345)]
    public async Task Each_part_of_a_larger_blob_carries_its_slice_CRC32C_and_the_completion_the_whole_blob_CRC32C(int length)
    {
        var source = BytesOf(length, seed: 22);
        var slices = source.Chunk(PartBytes).Select(slice => Crc32C.ToHeaderValue(Crc32C.Compute(slice))).ToList();
        var whole = Crc32C.Compute(source);

        var written = await _bucket.Store.WriteAsync("blob_large", new PatternStream(length, seed: 22), Token);

        Assert.Equal(whole, written.Crc32C);
        var created = Assert.Single(_bucket.Requests(S3RequestKind.CreateMultipartUpload));
        Assert.Equal(
            new Dictionary<string, string> { ["x-amz-checksum-algorithm"] = "CRC32C", ["x-amz-checksum-type"] = "FULL_OBJECT" },
            created.Checksums.Headers);
        var parts = _bucket.Requests(S3RequestKind.UploadPart).OrderBy(PartNumberOf).ToList();
        Assert.Equal(Enumerable.Range(1, slices.Count), parts.Select(PartNumberOf));
        Assert.Equal(
            slices.Select(crc => new Dictionary<string, string> { [Crc32CHeader] = crc }),
            parts.Select(part => part.Checksums.Headers));
        var completed = Assert.Single(_bucket.Requests(S3RequestKind.CompleteMultipartUpload));
        Assert.Equal(
            new Dictionary<string, string> { [Crc32CHeader] = Crc32C.ToHeaderValue(whole), ["x-amz-checksum-type"] = "FULL_OBJECT" },
            completed.Checksums.Headers);
        Assert.Equal(slices.Select((crc, i) => new S3CompletedPart(i + 1, crc)), completed.Checksums.Parts);
        Assert.Equal(PatternStream.HashOf(length, seed: 22), await _bucket.HashOfBlobAsync("blob_large", 0, Token));
    }

    [Theory]
    [InlineData(100, 0)]
    [InlineData((2 * PartBytes) + 10, 0)]
    [InlineData((2 * PartBytes) + 10, 2)]
    public async Task A_write_whose_bytes_are_damaged_on_the_way_is_refused_by_the_store_and_leaves_nothing(int length, int wholeBodiesFirst)
    {
        await _bucket.Engine.DamageBodiesAsync(_bucket.Name, wholeBodiesFirst, count: 1, Token);

        var exception = await Assert.ThrowsAsync<StoreUnavailableException>(
            () => _bucket.Store.WriteAsync("blob_damaged", new PatternStream(length, seed: 23), Token));

        Assert.Contains("CRC32C", exception.Message, StringComparison.Ordinal);
        Assert.Empty(await _bucket.ObjectKeysAsync(Token));
        Assert.Empty(await _bucket.UnfinishedUploadsAsync(Token));
    }

    [Fact]
    public async Task A_health_check_puts_its_probe_with_the_probe_CRC32C()
    {
        await _bucket.Store.CheckHealthAsync(Token);

        var put = Assert.Single(_bucket.Requests(S3RequestKind.PutObject));
        Assert.Equal(Crc32C.ToHeaderValue(Crc32C.Compute([1])), put.Checksums.Header(Crc32CHeader));
    }

    private static byte[] BytesOf(int length, int seed)
    {
        using var stream = new PatternStream(length, seed);
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static int PartNumberOf(S3Request request) => int.Parse(
        request.Query.TrimStart('?').Split('&').Single(pair => pair.StartsWith("partNumber=", StringComparison.Ordinal))["partNumber=".Length..],
        CultureInfo.InvariantCulture);
}
