using Tessera.Domain;

namespace Tessera.Storage.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task A_created_file_is_found_with_its_one_segment_in_its_own_project_only()
    {
        var (file, blobKey) = await CreateFileAsync(NewFile(createdAt: Now));

        Assert.Equal(file, await Store.FindFileAsync(Project, file.Id, Now, Token));
        Assert.Equal([new FileSegment(blobKey, file.Bytes)], await Store.ListFileSegmentsAsync(file.Id, Token));
        Assert.Null(await Store.FindFileAsync(OtherProject, file.Id, Now, Token));
        Assert.Null(await Store.FindFileAsync(Project, Ids.NewFileId(), Now, Token));
        Assert.True(await Store.IsBlobReferencedAsync(blobKey, Token));
    }

    [Fact]
    public async Task A_file_past_its_expiry_is_gone_even_before_it_is_swept()
    {
        var (file, _) = await CreateFileAsync(NewFile(createdAt: Now, expiresAt: Now + 60));

        Assert.NotNull(await Store.FindFileAsync(Project, file.Id, file.ExpiresAt!.Value - 1, Token));
        Assert.Null(await Store.FindFileAsync(Project, file.Id, file.ExpiresAt.Value, Token));
        Assert.Empty((await Store.ListFilesAsync(Project, Query(), file.ExpiresAt.Value, Token))!.Files);
        Assert.False(await Store.DeleteFileAsync(Project, file.Id, file.ExpiresAt.Value, Token));
    }

    [Fact]
    public async Task Files_are_listed_newest_first_by_default_and_oldest_first_when_asked()
    {
        var files = await CreateFilesAsync(createdAts: [100, 300, 200]);

        var newestFirst = await Store.ListFilesAsync(Project, Query(), Now, Token);
        var oldestFirst = await Store.ListFilesAsync(Project, Query(order: ListOrder.Ascending), Now, Token);

        Assert.Equal([files[1].Id, files[2].Id, files[0].Id], newestFirst!.Files.Select(f => f.Id));
        Assert.Equal([files[0].Id, files[2].Id, files[1].Id], oldestFirst!.Files.Select(f => f.Id));
        Assert.False(newestFirst.HasMore);
    }

    [Theory]
    [InlineData(ListOrder.Descending)]
    [InlineData(ListOrder.Ascending)]
    public async Task Paging_after_the_last_file_of_a_page_visits_every_file_once_even_when_created_in_one_second(ListOrder order)
    {
        var files = await CreateFilesAsync(createdAts: [100, 200, 200, 200, 200, 300, 300]);

        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        while (true)
        {
            var page = await Store.ListFilesAsync(Project, Query(limit: 2, order: order, after: after), Now, Token);
            Assert.NotNull(page);
            seen.AddRange(page.Files.Select(f => f.Id));
            pages++;
            if (!page.HasMore)
            {
                break;
            }

            Assert.Equal(2, page.Files.Count);
            after = page.Files[^1].Id;
        }

        Assert.Equal(4, pages);
        Assert.Equal(files.Select(f => f.Id).Order(), seen.Order());
        var createdAts = seen.Select(id => files.Single(f => f.Id == id).CreatedAt).ToList();
        Assert.Equal(order == ListOrder.Ascending ? createdAts.Order() : createdAts.OrderDescending(), createdAts);
    }

    [Fact]
    public async Task Listing_filters_by_purpose_and_keeps_to_the_project()
    {
        var batch = (await CreateFileAsync(NewFile(createdAt: 100, purpose: "batch"))).File;
        await CreateFileAsync(NewFile(createdAt: 200, purpose: "assistants"));
        await CreateFileAsync(NewFile(createdAt: 300, purpose: "batch", projectId: OtherProject));

        var page = await Store.ListFilesAsync(Project, Query(purpose: "batch"), Now, Token);

        Assert.Equal([batch.Id], page!.Files.Select(f => f.Id));
        Assert.Equal(2, (await Store.ListFilesAsync(Project, Query(), Now, Token))!.Files.Count);
    }

    [Fact]
    public async Task Listing_after_a_file_that_is_unknown_or_of_another_project_answers_null()
    {
        await CreateFileAsync(NewFile(createdAt: 100));
        var (foreign, _) = await CreateFileAsync(NewFile(createdAt: 100, projectId: OtherProject));

        Assert.Null(await Store.ListFilesAsync(Project, Query(after: Ids.NewFileId()), Now, Token));
        Assert.Null(await Store.ListFilesAsync(Project, Query(after: foreign.Id), Now, Token));
    }

    [Fact]
    public async Task A_deleted_file_is_gone_and_its_blob_is_garbage_once()
    {
        var (file, blobKey) = await CreateFileAsync(NewFile(createdAt: Now));

        Assert.False(await Store.DeleteFileAsync(OtherProject, file.Id, Now, Token));
        Assert.True(await Store.DeleteFileAsync(Project, file.Id, Now, Token));
        Assert.False(await Store.DeleteFileAsync(Project, file.Id, Now, Token));

        Assert.Null(await Store.FindFileAsync(Project, file.Id, Now, Token));
        Assert.Empty((await Store.ListFilesAsync(Project, Query(), Now, Token))!.Files);
        Assert.Equal([blobKey], await AllGarbageAsync());
    }

    [Fact]
    public async Task Deleting_a_completed_uploads_file_makes_every_segment_garbage()
    {
        var upload = await CreateUploadAsync(bytes: 30);
        var parts = new[] { await AddPartAsync(upload, 10), await AddPartAsync(upload, 20) };
        var file = NewFile(upload) with { Bytes = 30 };
        Assert.True((await Store.CompleteUploadAsync(upload.Id, [.. parts.Select(p => p.Id)], file, Now, Token)).Succeeded);

        Assert.True(await Store.DeleteFileAsync(Project, file.Id, Now, Token));

        var garbage = await AllGarbageAsync();
        Assert.Equal(parts.Select(p => p.BlobKey).Order(), garbage.Order());
        Assert.Equal(30, await Store.ForgetGarbageAsync(garbage, Token));
    }

    private static FileListQuery Query(string? purpose = null, int limit = 100, ListOrder order = ListOrder.Descending, string? after = null) =>
        new(purpose, limit, order, after);

    private async Task<List<StoredFile>> CreateFilesAsync(long[] createdAts)
    {
        var files = new List<StoredFile>();
        foreach (var createdAt in createdAts)
        {
            files.Add((await CreateFileAsync(NewFile(createdAt))).File);
        }

        return files;
    }
}
