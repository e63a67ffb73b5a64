namespace Tessera.Storage.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task Pending_summary_counts_pending_uploads_and_their_stored_bytes_in_every_project()
    {
        var before = await Store.SummarizePendingUploadsAsync(Token);
        await CreateUploadAsync();
        var filling = await CreateUploadAsync();
        await AddPartAsync(filling, 10);
        await AddPartAsync(filling, 20);
        var elsewhere = NewUpload(projectId: OtherProject);
        await Store.CreateUploadAsync(elsewhere, Token);
        await AddPartAsync(elsewhere, 5);

        Assert.Equal(before with { Uploads = before.Uploads + 3, Bytes = before.Bytes + 35 }, await Store.SummarizePendingUploadsAsync(Token));
    }

    [Fact]
    public async Task Pending_summary_leaves_out_uploads_that_were_completed_cancelled_or_expired()
    {
        var before = await Store.SummarizePendingUploadsAsync(Token);
        var completed = await CreateUploadAsync(bytes: 10);
        var part = await AddPartAsync(completed, 10);
        Assert.True((await Store.CompleteUploadAsync(completed.Id, [part.Id], NewFile(completed), Now, Token)).Succeeded);
        var cancelled = await CreateUploadAsync();
        await AddPartAsync(cancelled, 7);
        Assert.True((await Store.CancelUploadAsync(cancelled.Id, Now, Token)).Succeeded);
        var overdue = await CreateUploadAsync(expiresAt: Now + 60);
        await AddPartAsync(overdue, 3);
        var kept = await CreateUploadAsync();
        await AddPartAsync(kept, 4);

        Assert.Equal(before with { Uploads = before.Uploads + 2, Bytes = before.Bytes + 7 }, await Store.SummarizePendingUploadsAsync(Token));
        await Store.ExpireOverdueAsync(overdue.ExpiresAt, Token);
        Assert.Equal(before with { Uploads = before.Uploads + 1, Bytes = before.Bytes + 4 }, await Store.SummarizePendingUploadsAsync(Token));
    }
}
