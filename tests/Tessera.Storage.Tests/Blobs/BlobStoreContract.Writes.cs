using Tessera.Contracts;
using Tessera.Storage.Tests.Infrastructure;

namespace Tessera.Storage.Tests.Blobs;

public abstract partial class BlobStoreContract
{
    private const int LargeBlobBytes = (6 << 20) + 5;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData((4 << 20) + 1)]
    [InlineData(20 << 20)]
    public async Task A_written_blob_reads_back_whole(int size)
    {
        var bytes = RandomBytes(size);

        var key = await WriteAsync(bytes);

        AssertSameBytes(bytes, await ReadAsync(key));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(4 << 20)]
    [InlineData((5 << 20) + 3)]
    [InlineData(LargeBlobBytes - 1)]
    [InlineData(LargeBlobBytes)]
    public async Task A_blob_reads_from_an_offset_to_its_end(int offset)
    {
        var bytes = RandomBytes(LargeBlobBytes);
        var key = await WriteAsync(bytes);

        AssertSameBytes(bytes[offset..], await ReadAsync(key, offset));
    }

    [Fact]
    public async Task A_source_that_hands_out_odd_chunks_is_stored_byte_for_byte()
    {
        var bytes = RandomBytes((9 << 20) + 7);
        var key = NewKey();

        var written = await Store.WriteAsync(key, new SourceStream(bytes, chunkBytes: 7001), Token);

        Assert.Equal(bytes.Length, written.Bytes);
        Assert.Equal(Crc32C.Compute(bytes), written.Crc32C);

        AssertSameBytes(bytes, await ReadAsync(key));
    }

    [Fact]
    public async Task Concurrent_writes_of_different_keys_each_store_their_own_bytes()
    {
        var blobs = Enumerable.Range(0, 12).Select(i => (Key: NewKey(), Bytes: RandomBytes(i * 797_003))).ToList();

        await Task.WhenAll(blobs.Select(blob => Task.Run(() => Store.WriteAsync(blob.Key, new SourceStream(blob.Bytes), Token), Token)));

        foreach (var (key, bytes) in blobs)
        {
            AssertSameBytes(bytes, await ReadAsync(key));
        }

        Assert.Equal(blobs.Select(b => b.Key).Order(), (await ListKeysAsync()).Order());
    }
}
