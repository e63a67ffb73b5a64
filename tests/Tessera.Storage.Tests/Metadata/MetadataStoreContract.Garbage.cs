using Tessera.Domain;

namespace Tessera.Storage.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task Expiry_makes_an_overdue_uploads_parts_garbage_exactly_once()
    {
        var overdue = await CreateUploadAsync(expiresAt: Now + 60);
        var parts = new[] { await AddPartAsync(overdue, 10), await AddPartAsync(overdue, 20) };
        var current = await CreateUploadAsync(expiresAt: Now + 3600);
        var kept = await AddPartAsync(current, 10);
        var later = overdue.ExpiresAt;

        Assert.Equal(new ExpiryOutcome(1, 0), await Store.ExpireOverdueAsync(later, Token));
        Assert.Equal(new ExpiryOutcome(0, 0), await Store.ExpireOverdueAsync(later, Token));

        Assert.Equal(UploadStatus.Expired, (await Store.FindUploadAsync(Project, overdue.Id, Token))?.Status);
        Assert.Equal(UploadStatus.Pending, (await Store.FindUploadAsync(Project, current.Id, Token))?.Status);
        var garbage = await AllGarbageAsync();
        Assert.Equal(parts.Select(p => p.BlobKey).Order(), garbage.Order());
        Assert.Equal([kept.Id], (await Store.ListPartsAsync(current.Id, Token)).Select(p => p.Id));
        Assert.Equal(30, await Store.ForgetGarbageAsync(garbage, Token));
    }

    [Fact]
    public async Task Expiry_removes_files_past_their_expiry_and_makes_their_blobs_garbage_exactly_once()
    {
        var (expiring, expiringBlob) = await CreateFileAsync(NewFile(createdAt: Now, expiresAt: Now + 60));
        var (lasting, _) = await CreateFileAsync(NewFile(createdAt: Now));
        var later = expiring.ExpiresAt!.Value;

        Assert.Equal(new ExpiryOutcome(0, 1), await Store.ExpireOverdueAsync(later, Token));
        Assert.Equal(new ExpiryOutcome(0, 0), await Store.ExpireOverdueAsync(later, Token));

        Assert.Equal([expiringBlob], await AllGarbageAsync());
        Assert.Equal([lasting.Id], (await Store.ListFilesAsync(Project, new FileListQuery(null, 10, ListOrder.Descending, null), later, Token))!.Files.Select(f => f.Id));
    }

    [Fact]
    public async Task Nothing_expires_before_its_time()
    {
        var upload = await CreateUploadAsync(expiresAt: Now + 60);
        await AddPartAsync(upload, 10);
        await CreateFileAsync(NewFile(createdAt: Now, expiresAt: Now + 60));

        Assert.Equal(new ExpiryOutcome(0, 0), await Store.ExpireOverdueAsync(upload.ExpiresAt - 1, Token));
        Assert.Empty(await AllGarbageAsync());
    }

    [Fact]
    public async Task Garbage_is_listed_up_to_the_maximum_and_forgotten_once_deleted()
    {
        var upload = await CreateUploadAsync();
        var parts = new[] { await AddPartAsync(upload, 10), await AddPartAsync(upload, 20), await AddPartAsync(upload, 30) };
        Assert.True((await Store.CancelUploadAsync(upload.Id, Now, Token)).Succeeded);

        var firstTwo = await Store.ListGarbageAsync(2, Token);
        Assert.Equal(2, firstTwo.Count);
        var freed = await Store.ForgetGarbageAsync(firstTwo, Token);
        var rest = await AllGarbageAsync();

        Assert.Equal(parts.Select(p => p.BlobKey).Order(), firstTwo.Concat(rest).Order());
        foreach (var key in firstTwo)
        {
            Assert.False(await Store.IsBlobReferencedAsync(key, Token), $"{key} is still referenced after it was forgotten");
        }

        freed += await Store.ForgetGarbageAsync([.. rest, "never_garbage"], Token);
        Assert.Empty(await AllGarbageAsync());
        Assert.Equal(60, freed);
    }

    [Fact]
    public async Task A_blob_is_referenced_while_a_part_a_file_or_the_garbage_names_it()
    {
        var (part, fileBlob, garbage) = await StoreOneBlobOfEachKindAsync();

        Assert.True(await Store.IsBlobReferencedAsync(part.BlobKey, Token));
        Assert.True(await Store.IsBlobReferencedAsync(fileBlob, Token));
        Assert.True(await Store.IsBlobReferencedAsync(garbage.BlobKey, Token));
        Assert.False(await Store.IsBlobReferencedAsync(Ids.NewPartId(), Token));
    }

    [Fact]
    public async Task The_referenced_blobs_are_every_stored_part_and_file_segment_and_no_garbage()
    {
        var (part, fileBlob, garbage) = await StoreOneBlobOfEachKindAsync();

        var referenced = await Store.ListReferencedBlobKeysAsync(Token);

        Assert.Equal(new[] { part.BlobKey, fileBlob }.Order(StringComparer.Ordinal), referenced.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(garbage.BlobKey, referenced);
    }

    /// <summary>A pending upload's part, a file's blob, and a cancelled upload's part, which is garbage.</summary>
    private async Task<(UploadPart Part, string FileBlob, UploadPart Garbage)> StoreOneBlobOfEachKindAsync()
    {
        var upload = await CreateUploadAsync();
        var part = await AddPartAsync(upload, 10);
        var (_, fileBlob) = await CreateFileAsync(NewFile(createdAt: Now));
        var cancelled = await CreateUploadAsync();
        var garbage = await AddPartAsync(cancelled, 10);
        Assert.True((await Store.CancelUploadAsync(cancelled.Id, Now, Token)).Succeeded);
        return (part, fileBlob, garbage);
    }

    [Fact]
    public async Task The_stores_clock_reads_close_to_the_real_time()
    {
        var before = DateTimeOffset.UtcNow;
        var clock = await Store.ReadClockAsync(Token);
        var after = DateTimeOffset.UtcNow;

        // Generous: a shared store's clock may differ from this machine's by a little, never by minutes.
        Assert.InRange(clock, before.AddSeconds(-5), after.AddSeconds(5));
    }

    [Fact]
    public async Task A_store_initialized_twice_is_healthy()
    {
        await Store.CheckHealthAsync(Token);
        await Store.InitializeAsync(Token);
        await Store.CheckHealthAsync(Token);
    }
}
