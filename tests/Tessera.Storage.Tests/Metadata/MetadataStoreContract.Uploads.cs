using Tessera.Domain;

namespace Tessera.Storage.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task A_created_upload_is_found_as_it_was_created_in_its_own_project_only()
    {
        var upload = NewUpload() with { FileExpiresAfterSeconds = 7200 };
        await Store.CreateUploadAsync(upload, Token);

        Assert.Equal(upload, await Store.FindUploadAsync(Project, upload.Id, Token));
        Assert.Null(await Store.FindUploadAsync(OtherProject, upload.Id, Token));
        Assert.Null(await Store.FindUploadAsync(Project, Ids.NewUploadId(), Token));
    }

    [Fact]
    public async Task Parts_within_the_limit_are_added_and_listed_oldest_first_with_their_sum()
    {
        var upload = await CreateUploadAsync(bytes: 100);
        var first = NewPart(upload, 40, createdAt: Now - 2);
        var second = NewPart(upload, 60, createdAt: Now - 1);

        var added = await Store.AddPartAsync(first, maxStoredBytes: 100, Now, Token);
        var filled = await Store.AddPartAsync(second, maxStoredBytes: 100, Now, Token);

        Assert.Equal((AddPartResult.Added, 40L), (added.Result, added.StoredBytes));
        Assert.Equal((AddPartResult.Added, 100L), (filled.Result, filled.StoredBytes));
        Assert.Equal([first.Id, second.Id], (await Store.ListPartsAsync(upload.Id, Token)).Select(p => p.Id));
        Assert.Equal(100, await Store.SumPartBytesAsync(upload.Id, Token));
    }

    [Fact]
    public async Task A_part_over_the_limit_is_refused_with_what_is_stored_and_not_recorded()
    {
        var upload = await CreateUploadAsync(bytes: 100);
        await AddPartAsync(upload, 70);

        var refused = await Store.AddPartAsync(NewPart(upload, 31), maxStoredBytes: 100, Now, Token);

        Assert.Equal((AddPartResult.TooManyBytes, 70L), (refused.Result, refused.StoredBytes));
        Assert.Single(await Store.ListPartsAsync(upload.Id, Token));
        Assert.Equal(70, await Store.SumPartBytesAsync(upload.Id, Token));
    }

    [Fact]
    public async Task A_part_of_an_unknown_upload_is_refused()
    {
        var part = NewPart(NewUpload(), 10);

        var refused = await Store.AddPartAsync(part, maxStoredBytes: 100, Now, Token);

        Assert.Equal(AddPartResult.NoSuchUpload, refused.Result);
        Assert.False(await Store.IsBlobReferencedAsync(part.BlobKey, Token));
    }

    [Fact]
    public async Task A_part_of_a_cancelled_upload_is_refused_with_the_upload_as_it_stands()
    {
        var upload = await CreateUploadAsync();
        Assert.True((await Store.CancelUploadAsync(upload.Id, Now, Token)).Succeeded);
        var part = NewPart(upload, 10);

        var refused = await Store.AddPartAsync(part, maxStoredBytes: 100, Now, Token);

        Assert.Equal(AddPartResult.UploadNotPending, refused.Result);
        Assert.Equal(UploadStatus.Cancelled, refused.Upload?.Status);
        Assert.False(await Store.IsBlobReferencedAsync(part.BlobKey, Token));
    }

    [Fact]
    public async Task A_part_of_a_completed_upload_is_refused_with_the_upload_as_it_stands()
    {
        var upload = await CreateUploadAsync(bytes: 10);
        var part = await AddPartAsync(upload, 10);
        var file = NewFile(upload);
        Assert.True((await Store.CompleteUploadAsync(upload.Id, [part.Id], file, Now, Token)).Succeeded);

        var refused = await Store.AddPartAsync(NewPart(upload, 1), maxStoredBytes: 100, Now, Token);

        Assert.Equal(AddPartResult.UploadNotPending, refused.Result);
        Assert.Equal((UploadStatus.Completed, file.Id), (refused.Upload?.Status, refused.Upload?.FileId));
    }

    [Fact]
    public async Task A_part_of_an_upload_past_its_expiry_is_refused_even_before_it_is_swept()
    {
        var upload = await CreateUploadAsync(expiresAt: Now + 60);
        var part = NewPart(upload, 10);

        var refused = await Store.AddPartAsync(part, maxStoredBytes: 100, now: upload.ExpiresAt, Token);

        Assert.Equal(AddPartResult.UploadNotPending, refused.Result);
        Assert.Equal(UploadStatus.Expired, refused.Upload?.StatusAt(upload.ExpiresAt));
        Assert.Empty(await Store.ListPartsAsync(upload.Id, Token));
    }

    [Fact]
    public async Task A_parts_checksum_is_kept_and_follows_it_into_the_file()
    {
        var upload = await CreateUploadAsync();
        var part = NewPart(upload, 10) with { Crc32C = 0xE3069283 };
        Assert.Equal(AddPartResult.Added, (await Store.AddPartAsync(part, maxStoredBytes: 1L << 40, Now, Token)).Result);

        Assert.Equal(0xE3069283u, Assert.Single(await Store.ListPartsAsync(upload.Id, Token)).Crc32C);

        var file = NewFile(upload) with { Bytes = 10, Crc32C = 0x01020304 };
        Assert.True((await Store.CompleteUploadAsync(upload.Id, [part.Id], file, Now, Token)).Succeeded);
        Assert.Equal(0x01020304u, (await Store.FindFileAsync(file.ProjectId, file.Id, Now, Token))?.Crc32C);
        Assert.Equal([new FileSegment(part.BlobKey, 10, 0xE3069283)], await Store.ListFileSegmentsAsync(file.Id, Token));
    }

    [Fact]
    public async Task A_checksum_computed_later_for_a_part_stored_without_one_is_recorded()
    {
        var upload = await CreateUploadAsync();
        var part = await AddPartAsync(upload, 10);
        Assert.Null(Assert.Single(await Store.ListPartsAsync(upload.Id, Token)).Crc32C);

        await Store.SetPartCrc32CAsync(part.Id, uint.MaxValue, Token);

        Assert.Equal(uint.MaxValue, Assert.Single(await Store.ListPartsAsync(upload.Id, Token)).Crc32C);
    }
}
