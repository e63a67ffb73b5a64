using Tessera.Domain;

namespace Tessera.Storage.Tests.Metadata;

/// <summary>
/// A project's usage follows every write that adds or frees bytes, files or pending uploads, and a write that would pass
/// the project's quota is refused atomically with the check: nothing of it is kept, even when writes race from two nodes.
/// </summary>
public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task A_project_that_never_held_anything_uses_nothing()
    {
        Assert.Equal(ProjectUsage.None, await Store.ReadProjectUsageAsync(Project, Token));
    }

    [Fact]
    public async Task Usage_counts_pending_uploads_their_parts_and_files_and_a_completed_part_once()
    {
        var upload = await CreateUploadAsync(bytes: 30);
        var listed = await AddPartAsync(upload, 30);
        await AddPartAsync(upload, 7);
        Assert.Equal(new ProjectUsage(37, 0, 1), await Store.ReadProjectUsageAsync(Project, Token));

        Assert.True((await Store.CompleteUploadAsync(upload.Id, [listed.Id], NewFile(upload), Now, Token)).Succeeded);
        Assert.Equal(new ProjectUsage(30, 1, 0), await Store.ReadProjectUsageAsync(Project, Token));

        await CreateFileAsync(NewFile(createdAt: Now));
        Assert.Equal(new ProjectUsage(40, 2, 0), await Store.ReadProjectUsageAsync(Project, Token));
        Assert.Equal(ProjectUsage.None, await Store.ReadProjectUsageAsync(OtherProject, Token));
    }

    [Fact]
    public async Task Cancel_delete_and_expiry_give_back_what_they_free()
    {
        var cancelled = await CreateUploadAsync();
        await AddPartAsync(cancelled, 10);
        var expiring = await CreateUploadAsync(expiresAt: Now + 60);
        await AddPartAsync(expiring, 20);
        var (deleted, _) = await CreateFileAsync(NewFile(createdAt: Now));
        await CreateFileAsync(NewFile(createdAt: Now, expiresAt: Now + 60));
        var (kept, _) = await CreateFileAsync(NewFile(createdAt: Now));
        Assert.Equal(new ProjectUsage(60, 3, 2), await Store.ReadProjectUsageAsync(Project, Token));

        Assert.True((await Store.CancelUploadAsync(cancelled.Id, Now, Token)).Succeeded);
        Assert.Equal(new ProjectUsage(50, 3, 1), await Store.ReadProjectUsageAsync(Project, Token));
        Assert.True(await Store.DeleteFileAsync(Project, deleted.Id, Now, Token));
        Assert.Equal(new ProjectUsage(40, 2, 1), await Store.ReadProjectUsageAsync(Project, Token));
        Assert.Equal(new ExpiryOutcome(1, 1), await Store.ExpireOverdueAsync(Now + 60, Token));

        Assert.Equal(new ProjectUsage(kept.Bytes, 1, 0), await Store.ReadProjectUsageAsync(Project, Token));
    }

    [Fact]
    public async Task An_upload_past_the_pending_uploads_quota_is_refused_and_not_created()
    {
        var quota = new ProjectQuota(null, null, PendingUploads: 1);
        Assert.Null(await Store.CreateUploadAsync(NewUpload(), quota, Token));
        var refused = NewUpload();

        var refusal = await Store.CreateUploadAsync(refused, quota, Token);

        Assert.Equal(new QuotaRefusal(QuotaKind.PendingUploads, 1, 1, 1), refusal);
        Assert.Null(await Store.FindUploadAsync(Project, refused.Id, Token));
        Assert.Equal(new ProjectUsage(0, 0, 1), await Store.ReadProjectUsageAsync(Project, Token));
        Assert.Null(await Store.CreateUploadAsync(NewUpload(projectId: OtherProject), quota, Token));
    }

    [Fact]
    public async Task A_part_past_the_bytes_quota_is_refused_with_the_figures_and_not_recorded()
    {
        var quota = new ProjectQuota(Bytes: 100, null, null);
        var upload = await CreateUploadAsync(bytes: 1000);
        await CreateFileAsync(NewFile(createdAt: Now));
        Assert.Equal(AddPartResult.Added, (await Store.AddPartAsync(NewPart(upload, 60), 1000, int.MaxValue, quota, Now, Token)).Result);
        var part = NewPart(upload, 31);

        var refused = await Store.AddPartAsync(part, 1000, int.MaxValue, quota, Now, Token);

        Assert.Equal(AddPartResult.OverQuota, refused.Result);
        Assert.Equal(new QuotaRefusal(QuotaKind.Bytes, 31, 70, 100), refused.OverQuota);
        Assert.Equal(30, refused.OverQuota!.Left);
        Assert.False(await Store.IsBlobReferencedAsync(part.BlobKey, Token));
        Assert.Equal(new ProjectUsage(70, 1, 1), await Store.ReadProjectUsageAsync(Project, Token));
        Assert.Equal(AddPartResult.Added, (await Store.AddPartAsync(NewPart(upload, 30), 1000, int.MaxValue, quota, Now, Token)).Result);
    }

    [Fact]
    public async Task A_complete_past_the_files_quota_changes_nothing_and_can_be_retried_once_a_file_is_deleted()
    {
        var quota = new ProjectQuota(null, Files: 1, null);
        var (existing, _) = await CreateFileAsync(NewFile(createdAt: Now));
        var upload = await CreateUploadAsync(bytes: 10);
        var part = await AddPartAsync(upload, 10);

        var refused = await Store.CompleteUploadAsync(upload.Id, [part.Id], NewFile(upload), quota, Now, Token);

        Assert.False(refused.Succeeded);
        Assert.Equal(new QuotaRefusal(QuotaKind.Files, 1, 1, 1), refused.OverQuota);
        Assert.Equal(UploadStatus.Pending, (await Store.FindUploadAsync(Project, upload.Id, Token))!.Status);
        Assert.Equal([part.Id], (await Store.ListPartsAsync(upload.Id, Token)).Select(p => p.Id));
        Assert.Equal(new ProjectUsage(20, 1, 1), await Store.ReadProjectUsageAsync(Project, Token));

        Assert.True(await Store.DeleteFileAsync(Project, existing.Id, Now, Token));
        var completed = await Store.CompleteUploadAsync(upload.Id, [part.Id], NewFile(upload), quota, Now, Token);

        Assert.True(completed.Succeeded);
        Assert.Equal(new ProjectUsage(10, 1, 0), await Store.ReadProjectUsageAsync(Project, Token));
    }

    [Fact]
    public async Task A_file_past_the_files_or_bytes_quota_is_refused_and_not_created()
    {
        await CreateFileAsync(NewFile(createdAt: Now));
        var tooMany = NewFile(createdAt: Now);
        var tooLarge = NewFile(createdAt: Now) with { Bytes = 91 };

        var overFiles = await Store.CreateFileAsync(tooMany, new FileSegment(Ids.NewPartId(), tooMany.Bytes), new ProjectQuota(null, 1, null), Token);
        var overBytes = await Store.CreateFileAsync(tooLarge, new FileSegment(Ids.NewPartId(), tooLarge.Bytes), new ProjectQuota(100, null, null), Token);

        Assert.Equal(new QuotaRefusal(QuotaKind.Files, 1, 1, 1), overFiles);
        Assert.Equal(new QuotaRefusal(QuotaKind.Bytes, 91, 10, 100), overBytes);
        Assert.Null(await Store.FindFileAsync(Project, tooMany.Id, Now, Token));
        Assert.Null(await Store.FindFileAsync(Project, tooLarge.Id, Now, Token));
        Assert.Equal(new ProjectUsage(10, 1, 0), await Store.ReadProjectUsageAsync(Project, Token));
    }

    [Fact]
    public async Task A_limit_lowered_below_the_usage_refuses_what_adds_and_still_lets_a_complete_free_room()
    {
        var upload = await CreateUploadAsync(bytes: 10);
        var listed = await AddPartAsync(upload, 10);
        await AddPartAsync(upload, 50);
        var lowered = new ProjectQuota(Bytes: 20, null, null);

        Assert.Equal(AddPartResult.OverQuota, (await Store.AddPartAsync(NewPart(upload, 1), 1000, int.MaxValue, lowered, Now, Token)).Result);
        Assert.True((await Store.CompleteUploadAsync(upload.Id, [listed.Id], NewFile(upload), lowered, Now, Token)).Succeeded);

        Assert.Equal(new ProjectUsage(10, 1, 0), await Store.ReadProjectUsageAsync(Project, Token));
    }

    [Fact]
    public Task Parts_racing_for_the_last_bytes_on_one_node_never_pass_the_quota() =>
        RacePartsForQuotaAsync(Store, Store);

    [Fact]
    public async Task Parts_racing_for_the_last_bytes_on_two_nodes_never_pass_the_quota() =>
        await RacePartsForQuotaAsync(Store, await SecondNodeAsync());

    /// <summary>Eight parts of two uploads, alternately on each node, against a quota that five fit in.</summary>
    private async Task RacePartsForQuotaAsync(IMetadataStore first, IMetadataStore second)
    {
        var quota = new ProjectQuota(Bytes: 50, null, null);
        var uploads = new[] { await CreateUploadAsync(bytes: 1000), await CreateUploadAsync(bytes: 1000) };
        var parts = Enumerable.Range(0, 8).Select(i => NewPart(uploads[i % 2], 10)).ToArray();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racing = parts.Select((part, i) => Task.Run(async () =>
        {
            await go.Task;
            return await (i % 2 == 0 ? first : second).AddPartAsync(part, 1000, int.MaxValue, quota, Now, Token);
        }, Token)).ToArray();
        go.SetResult();
        var outcomes = await Task.WhenAll(racing);

        Assert.Equal(5, outcomes.Count(o => o.Result == AddPartResult.Added));
        Assert.All(outcomes.Where(o => o.Result != AddPartResult.Added), o =>
        {
            Assert.Equal(AddPartResult.OverQuota, o.Result);
            Assert.Equal(new QuotaRefusal(QuotaKind.Bytes, 10, 50, 50), o.OverQuota);
        });
        Assert.Equal(new ProjectUsage(50, 0, 2), await Store.ReadProjectUsageAsync(Project, Token));
        Assert.Equal(50, (await Store.SumPartBytesAsync(uploads[0].Id, Token)) + (await Store.SumPartBytesAsync(uploads[1].Id, Token)));
    }
}
