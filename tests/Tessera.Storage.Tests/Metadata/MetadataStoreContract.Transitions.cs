using Tessera.Domain;

namespace Tessera.Storage.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task Completing_with_some_parts_makes_a_file_of_them_in_order_and_the_rest_garbage()
    {
        var upload = await CreateUploadAsync(bytes: 30);
        var first = await AddPartAsync(upload, 10);
        var unused = await AddPartAsync(upload, 5);
        var second = await AddPartAsync(upload, 20);
        var file = NewFile(upload) with { Bytes = 30 };

        var outcome = await Store.CompleteUploadAsync(upload.Id, [second.Id, first.Id], file, Now, Token);

        Assert.True(outcome.Succeeded);
        Assert.Equal((UploadStatus.Completed, file.Id), (outcome.Upload?.Status, outcome.Upload?.FileId));
        var stored = await Store.FindUploadAsync(Project, upload.Id, Token);
        Assert.Equal((UploadStatus.Completed, file.Id), (stored?.Status, stored?.FileId));
        Assert.Equal([second.Id, first.Id], stored?.CompletedPartIds ?? []);
        Assert.Equal(file, await Store.FindFileAsync(Project, file.Id, Now, Token));
        Assert.Equal(
            [new FileSegment(second.BlobKey, 20), new FileSegment(first.BlobKey, 10)],
            await Store.ListFileSegmentsAsync(file.Id, Token));
        Assert.Equal([unused.BlobKey], await AllGarbageAsync());
        foreach (var part in new[] { first, unused, second })
        {
            Assert.True(await Store.IsBlobReferencedAsync(part.BlobKey, Token), $"{part.BlobKey} is no longer referenced: its bytes could be lost");
        }
    }

    [Fact]
    public async Task Cancelling_makes_every_part_garbage()
    {
        var upload = await CreateUploadAsync();
        var parts = new[] { await AddPartAsync(upload, 10), await AddPartAsync(upload, 20) };

        var outcome = await Store.CancelUploadAsync(upload.Id, Now, Token);

        Assert.True(outcome.Succeeded);
        Assert.Equal(UploadStatus.Cancelled, outcome.Upload?.Status);
        Assert.Equal(UploadStatus.Cancelled, (await Store.FindUploadAsync(Project, upload.Id, Token))?.Status);
        Assert.Equal(parts.Select(p => p.BlobKey).Order(), (await AllGarbageAsync()).Order());
    }

    [Fact]
    public async Task A_retried_complete_fails_and_sees_the_first_completion()
    {
        var upload = await CreateUploadAsync(bytes: 10);
        var part = await AddPartAsync(upload, 10);
        var file = NewFile(upload);
        Assert.True((await Store.CompleteUploadAsync(upload.Id, [part.Id], file, Now, Token)).Succeeded);
        var retry = NewFile(upload);

        var outcome = await Store.CompleteUploadAsync(upload.Id, [part.Id], retry, Now, Token);

        Assert.False(outcome.Succeeded);
        Assert.Equal((UploadStatus.Completed, file.Id), (outcome.Upload?.Status, outcome.Upload?.FileId));
        Assert.Null(await Store.FindFileAsync(Project, retry.Id, Now, Token));
        Assert.Empty(await AllGarbageAsync());
    }

    [Fact]
    public async Task A_cancel_of_a_completed_upload_fails_and_keeps_its_file()
    {
        var upload = await CreateUploadAsync(bytes: 10);
        var part = await AddPartAsync(upload, 10);
        var file = NewFile(upload);
        Assert.True((await Store.CompleteUploadAsync(upload.Id, [part.Id], file, Now, Token)).Succeeded);

        var outcome = await Store.CancelUploadAsync(upload.Id, Now, Token);

        Assert.False(outcome.Succeeded);
        Assert.Equal(UploadStatus.Completed, outcome.Upload?.Status);
        Assert.NotNull(await Store.FindFileAsync(Project, file.Id, Now, Token));
        Assert.Empty(await AllGarbageAsync());
    }

    [Fact]
    public async Task A_retried_cancel_fails_and_sees_the_cancelled_upload()
    {
        var upload = await CreateUploadAsync();
        var part = await AddPartAsync(upload, 10);
        Assert.True((await Store.CancelUploadAsync(upload.Id, Now, Token)).Succeeded);

        var outcome = await Store.CancelUploadAsync(upload.Id, Now, Token);

        Assert.False(outcome.Succeeded);
        Assert.Equal(UploadStatus.Cancelled, outcome.Upload?.Status);
        Assert.Equal([part.BlobKey], await AllGarbageAsync());
    }

    [Fact]
    public async Task A_complete_of_a_cancelled_upload_fails_and_makes_no_file()
    {
        var upload = await CreateUploadAsync(bytes: 10);
        var part = await AddPartAsync(upload, 10);
        Assert.True((await Store.CancelUploadAsync(upload.Id, Now, Token)).Succeeded);
        var file = NewFile(upload);

        var outcome = await Store.CompleteUploadAsync(upload.Id, [part.Id], file, Now, Token);

        Assert.False(outcome.Succeeded);
        Assert.Equal(UploadStatus.Cancelled, outcome.Upload?.Status);
        Assert.Null(await Store.FindFileAsync(Project, file.Id, Now, Token));
        Assert.Equal([part.BlobKey], await AllGarbageAsync());
    }

    [Fact]
    public async Task Transitions_of_an_upload_past_its_expiry_fail_even_before_it_is_swept()
    {
        var upload = await CreateUploadAsync(bytes: 10, expiresAt: Now + 60);
        var part = await AddPartAsync(upload, 10);
        var file = NewFile(upload);

        var completed = await Store.CompleteUploadAsync(upload.Id, [part.Id], file, upload.ExpiresAt, Token);
        var cancelled = await Store.CancelUploadAsync(upload.Id, upload.ExpiresAt + 1, Token);

        Assert.False(completed.Succeeded);
        Assert.False(cancelled.Succeeded);
        Assert.Equal(UploadStatus.Expired, completed.Upload?.StatusAt(upload.ExpiresAt));
        Assert.Null(await Store.FindFileAsync(Project, file.Id, Now, Token));
        Assert.True(await Store.IsBlobReferencedAsync(part.BlobKey, Token), "the part's blob was let go before the upload was swept");
    }

    [Fact]
    public async Task Transitions_of_an_unknown_upload_fail_without_an_upload()
    {
        var upload = NewUpload();

        var completed = await Store.CompleteUploadAsync(upload.Id, [], NewFile(upload), Now, Token);
        var cancelled = await Store.CancelUploadAsync(upload.Id, Now, Token);

        Assert.Equal(new TransitionOutcome(false, null), completed);
        Assert.Equal(new TransitionOutcome(false, null), cancelled);
    }
}
