namespace Tessera.Storage.Tests.Blobs;

public abstract partial class BlobStoreContract
{
    [Fact]
    public async Task A_deleted_blob_is_gone_and_deleting_it_again_is_fine()
    {
        var key = await WriteAsync(RandomBytes(1000));
        var kept = await WriteAsync(RandomBytes(10));

        await Store.DeleteAsync(key, Token);
        await Store.DeleteAsync(key, Token);
        await Store.DeleteAsync(NewKey(), Token);

        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenReadAsync(key, 0, Token));
        Assert.Equal([kept], await ListKeysAsync());
    }

    [Fact]
    public async Task Listing_shows_every_blob_written_with_when()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        var keys = new[] { await WriteAsync([]), await WriteAsync(RandomBytes(100)), await WriteAsync(RandomBytes(5 << 20)) };

        var listed = new List<StoredBlob>();
        await foreach (var blob in Store.ListAsync(Token))
        {
            listed.Add(blob);
        }

        Assert.Equal(keys.Order(), listed.Select(b => b.Key).Order());
        Assert.All(listed, blob => Assert.InRange(blob.LastWritten, before, DateTimeOffset.UtcNow.AddMinutes(1)));
    }

    [Fact]
    public async Task Cleaning_up_unfinished_writes_leaves_finished_blobs_alone()
    {
        var small = RandomBytes(100);
        var large = RandomBytes(5 << 20);
        var keys = new[] { await WriteAsync(small), await WriteAsync(large) };

        Assert.Equal(0, await Store.DeleteUnfinishedAsync(DateTimeOffset.UtcNow.AddHours(1), Token));

        AssertSameBytes(small, await ReadAsync(keys[0]));
        AssertSameBytes(large, await ReadAsync(keys[1]));
    }

    [Fact]
    public async Task A_usable_store_passes_its_health_check_and_leaves_no_trace_of_it()
    {
        await Store.CheckHealthAsync(Token);

        Assert.Empty(await ListKeysAsync());
        Assert.Equal(0, await Store.DeleteUnfinishedAsync(DateTimeOffset.UtcNow.AddHours(1), Token));
    }
}
