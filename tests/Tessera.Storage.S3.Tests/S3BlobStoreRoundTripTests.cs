using Tessera.Testing.Engines;

namespace Tessera.Storage.S3.Tests;

public sealed class S3BlobStoreRoundTripTests : IAsyncLifetime
{
    private const int PartBytes = 5 << 20;

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
    public async Task A_blob_shorter_than_a_part_goes_up_as_one_put_and_reads_back_whole(int length)
    {
        var written = await _bucket.Store.WriteAsync("blob_small", new PatternStream(length, seed: 7), Token);

        Assert.Equal(length, written.Bytes);
        Assert.Equal(PatternStream.HashOf(length, seed: 7), await _bucket.HashOfBlobAsync("blob_small", 0, Token));
        Assert.Equal(1, _bucket.Count(S3RequestKind.PutObject));
        Assert.Equal(0, _bucket.Count(S3RequestKind.CreateMultipartUpload));
        Assert.Equal([S3TestBucket.Prefix + "blob_small"], await _bucket.ObjectKeysAsync(Token));
    }

    [Theory]
    [InlineData(PartBytes, 1)]
    [InlineData(PartBytes + 1, 2)]
    [InlineData(3L * PartBytes, 3)]
    [InlineData(64L << 20, 13)]
    public async Task A_larger_blob_goes_up_in_five_MiB_parts_and_reads_back_whole(long length, int parts)
    {
        var written = await _bucket.Store.WriteAsync("blob_large", new PatternStream(length, seed: 11), Token);

        Assert.Equal(length, written.Bytes);
        Assert.Equal(PatternStream.HashOf(length, seed: 11), await _bucket.HashOfBlobAsync("blob_large", 0, Token));
        Assert.Equal(1, _bucket.Count(S3RequestKind.CreateMultipartUpload));
        Assert.Equal(parts, _bucket.Count(S3RequestKind.UploadPart));
        Assert.Equal(1, _bucket.Count(S3RequestKind.CompleteMultipartUpload));
        Assert.Equal(0, _bucket.Count(S3RequestKind.PutObject));
        Assert.Empty(await _bucket.UnfinishedUploadsAsync(Token));
    }

    [Fact]
    public async Task More_concurrent_writes_than_get_a_second_buffer_all_read_back_whole()
    {
        const long length = (2L * PartBytes) + 12345;
        const int writes = PartBuffers.MaxSecondBuffers + 4;

        var written = await Task.WhenAll(Enumerable.Range(0, writes).Select(
            i => Task.Run(() => _bucket.Store.WriteAsync($"blob_{i:D2}", new PatternStream(length, seed: i), Token), Token)));

        Assert.All(written, blob => Assert.Equal(length, blob.Bytes));
        for (var i = 0; i < writes; i++)
        {
            Assert.Equal(PatternStream.HashOf(length, seed: i), await _bucket.HashOfBlobAsync($"blob_{i:D2}", 0, Token));
        }

        Assert.Equal(writes * 3, _bucket.Count(S3RequestKind.UploadPart));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(PartBytes - 3)]
    [InlineData(PartBytes + 17)]
    public async Task A_read_from_an_offset_returns_the_rest_of_the_blob(long offset)
    {
        const long length = PartBytes + 100;
        await _bucket.Store.WriteAsync("blob_range", new PatternStream(length, seed: 3), Token);

        Assert.Equal(PatternStream.HashOf(length, seed: 3, offset), await _bucket.HashOfBlobAsync("blob_range", offset, Token));
    }

    [Fact]
    public async Task A_read_from_the_end_of_a_blob_is_empty()
    {
        await _bucket.Store.WriteAsync("blob_end", new PatternStream(10, seed: 3), Token);

        await using var stream = await _bucket.Store.OpenReadAsync("blob_end", 10, Token);

        Assert.Equal(-1, stream.ReadByte());
    }

    [Fact]
    public async Task Reading_a_blob_that_is_not_there_throws_BlobNotFound()
    {
        var exception = await Assert.ThrowsAsync<BlobNotFoundException>(() => _bucket.Store.OpenReadAsync("blob_missing", 0, Token));

        Assert.Equal("blob_missing", exception.BlobKey);
    }

    [Fact]
    public async Task A_deleted_blob_is_gone_and_deleting_it_again_is_no_error()
    {
        await _bucket.Store.WriteAsync("blob_deleted", new PatternStream(10, seed: 1), Token);

        await _bucket.Store.DeleteAsync("blob_deleted", Token);
        await _bucket.Store.DeleteAsync("blob_deleted", Token);

        await Assert.ThrowsAsync<BlobNotFoundException>(() => _bucket.Store.OpenReadAsync("blob_deleted", 0, Token));
    }

    [Fact]
    public async Task Listing_names_the_blobs_under_the_prefix_and_nothing_else_in_the_bucket()
    {
        await _bucket.Store.WriteAsync("blob_one", new PatternStream(1, seed: 1), Token);
        await _bucket.Store.WriteAsync("blob_two", new PatternStream(2, seed: 1), Token);
        await _bucket.Inspector.PutObjectAsync(
            new Amazon.S3.Model.PutObjectRequest { BucketName = _bucket.Name, Key = "elsewhere/blob_three", ContentBody = "x" }, Token);
        await _bucket.Store.CheckHealthAsync(Token);
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);

        var listed = await _bucket.Store.ListAsync(Token).ToListAsync(Token);

        Assert.Equal(["blob_one", "blob_two"], listed.Select(b => b.Key).Order());
        Assert.All(listed, blob => Assert.InRange(blob.LastWritten, before, DateTimeOffset.UtcNow.AddMinutes(5)));
    }

    [Fact]
    public async Task A_health_check_writes_and_leaves_nothing_behind()
    {
        await _bucket.Store.CheckHealthAsync(Token);

        Assert.Equal(1, _bucket.Count(S3RequestKind.PutObject));
        Assert.Empty(await _bucket.ObjectKeysAsync(Token));
    }
}
