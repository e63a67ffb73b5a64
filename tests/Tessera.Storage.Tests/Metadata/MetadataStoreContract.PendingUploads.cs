namespace Tessera.Storage.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task Pending_uploads_are_listed_with_the_bytes_their_parts_hold_and_ended_or_overdue_ones_are_not()
    {
        var filling = await CreateUploadAsync();
        await AddPartAsync(filling, 30);
        await AddPartAsync(filling, 12);
        var untouched = await CreateUploadAsync();
        var overdue = await CreateUploadAsync(expiresAt: Now + 60);
        var cancelled = await CreateUploadAsync();
        await AddPartAsync(cancelled, 5);
        Assert.True((await Store.CancelUploadAsync(cancelled.Id, Now, Token)).Succeeded);
        var completed = await CreateUploadAsync(bytes: 7);
        var part = await AddPartAsync(completed, 7);
        Assert.True((await Store.CompleteUploadAsync(completed.Id, [part.Id], NewFile(completed), Now, Token)).Succeeded);
        await Store.CreateUploadAsync(NewUpload(projectId: OtherProject), Token);

        var page = await Store.ListPendingUploadsAsync(Project, new UploadListQuery(10, ListOrder.Ascending, null), overdue.ExpiresAt, Token);

        Assert.NotNull(page);
        Assert.Equal([(filling, 42L), (untouched, 0L)], page.Uploads.Select(u => (u.Upload, u.ReceivedBytes)));
        Assert.False(page.HasMore);
        Assert.Contains(overdue.Id, (await Store.ListPendingUploadsAsync(Project, new UploadListQuery(10, ListOrder.Ascending, null), overdue.ExpiresAt - 1, Token))!
            .Uploads.Select(u => u.Upload.Id));
    }

    [Theory]
    [InlineData(ListOrder.Descending)]
    [InlineData(ListOrder.Ascending)]
    public async Task Paging_pending_uploads_created_in_one_second_visits_each_once_in_creation_order(ListOrder order)
    {
        var created = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            created.Add((await CreateUploadAsync()).Id);
        }

        var seen = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await Store.ListPendingUploadsAsync(Project, new UploadListQuery(3, order, after), Now, Token);
            Assert.NotNull(page);
            seen.AddRange(page.Uploads.Select(u => u.Upload.Id));
            if (!page.HasMore)
            {
                break;
            }

            after = page.Uploads[^1].Upload.Id;
        }

        Assert.Equal(order == ListOrder.Ascending ? created : Enumerable.Reverse(created), seen);
    }

    [Fact]
    public async Task Paging_after_an_upload_that_ended_goes_on_and_after_an_unknown_or_foreign_one_answers_null()
    {
        var first = await CreateUploadAsync();
        var second = await CreateUploadAsync();
        Assert.True((await Store.CancelUploadAsync(first.Id, Now, Token)).Succeeded);
        var foreign = NewUpload(projectId: OtherProject);
        await Store.CreateUploadAsync(foreign, Token);

        var next = await Store.ListPendingUploadsAsync(Project, new UploadListQuery(10, ListOrder.Ascending, first.Id), Now, Token);

        Assert.Equal([second.Id], next!.Uploads.Select(u => u.Upload.Id));
        Assert.Null(await Store.ListPendingUploadsAsync(Project, new UploadListQuery(10, ListOrder.Ascending, Ids.NewUploadId()), Now, Token));
        Assert.Null(await Store.ListPendingUploadsAsync(Project, new UploadListQuery(10, ListOrder.Ascending, foreign.Id), Now, Token));
    }
}
