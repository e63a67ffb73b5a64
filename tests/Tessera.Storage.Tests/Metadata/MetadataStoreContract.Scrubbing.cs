using Tessera.Domain;

namespace Tessera.Storage.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    private const string ScrubLease = "scrub";

    [Fact]
    public async Task Recorded_blobs_are_listed_page_by_page_in_key_order_with_their_owner_size_and_checksum()
    {
        var upload = await CreateUploadAsync();
        var checkedPart = NewPart(upload, 10) with { Crc32C = uint.MaxValue };
        Assert.Equal(AddPartResult.Added, (await Store.AddPartAsync(checkedPart, 1L << 40, Now, Token)).Result);
        var uncheckedPart = await AddPartAsync(upload, 20);
        var file = NewFile(createdAt: Now) with { Bytes = 30 };
        var fileBlob = Ids.NewPartId();
        await Store.CreateFileAsync(file, new FileSegment(fileBlob, 30, 0x01020304), Token);
        var cancelled = await CreateUploadAsync();
        await AddPartAsync(cancelled, 40);
        Assert.True((await Store.CancelUploadAsync(cancelled.Id, Now, Token)).Succeeded);

        var listed = new List<RecordedBlob>();
        string? after = null;
        while (await Store.ListRecordedBlobsAsync(after, 2, Token) is { Count: > 0 } page)
        {
            Assert.True(page.Count <= 2);
            listed.AddRange(page);
            after = page[^1].BlobKey;
        }

        RecordedBlob[] expected =
        [
            new(checkedPart.BlobKey, 10, uint.MaxValue, BlobOwner.Upload, upload.Id),
            new(uncheckedPart.BlobKey, 20, null, BlobOwner.Upload, upload.Id),
            new(fileBlob, 30, 0x01020304, BlobOwner.File, file.Id),
        ];
        Assert.Equal(expected.OrderBy(b => b.BlobKey, StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task A_lease_is_held_by_one_holder_at_a_time_until_released()
    {
        // Two nodes where the backend can be shared; one store answering two holders where it cannot.
        var second = Store;
        if (await OpenSecondStoreAsync(Token) is { } other)
        {
            _opened.Add(other);
            await other.InitializeAsync(Token);
            second = other;
        }

        Assert.True(await Store.TryAcquireLeaseAsync(ScrubLease, "node-a", TimeSpan.FromMinutes(1), Token));
        Assert.False(await second.TryAcquireLeaseAsync(ScrubLease, "node-b", TimeSpan.FromMinutes(1), Token));
        Assert.True(await Store.TryAcquireLeaseAsync(ScrubLease, "node-a", TimeSpan.FromMinutes(1), Token));
        Assert.True(await second.TryAcquireLeaseAsync("another-job", "node-b", TimeSpan.FromMinutes(1), Token));

        await second.ReleaseLeaseAsync(ScrubLease, "node-b", Token);
        Assert.False(await second.TryAcquireLeaseAsync(ScrubLease, "node-b", TimeSpan.FromMinutes(1), Token));

        await Store.ReleaseLeaseAsync(ScrubLease, "node-a", Token);
        Assert.True(await second.TryAcquireLeaseAsync(ScrubLease, "node-b", TimeSpan.FromMinutes(1), Token));
    }

    [Fact]
    public async Task A_lease_whose_holder_stopped_renewing_it_can_be_taken_once_it_expires()
    {
        // Long enough that a loaded machine does not let it lapse before the second holder's first try.
        Assert.True(await Store.TryAcquireLeaseAsync(ScrubLease, "node-a", TimeSpan.FromSeconds(3), Token));
        Assert.False(await Store.TryAcquireLeaseAsync(ScrubLease, "node-b", TimeSpan.FromMinutes(1), Token));

        await Task.Delay(TimeSpan.FromSeconds(4), Token);

        Assert.True(await Store.TryAcquireLeaseAsync(ScrubLease, "node-b", TimeSpan.FromMinutes(1), Token));
        Assert.False(await Store.TryAcquireLeaseAsync(ScrubLease, "node-a", TimeSpan.FromMinutes(1), Token));
    }
}
