using Tessera.Domain;

namespace Tessera.Storage.Tests.Metadata;

/// <summary>An upload holds at most so many parts, counted when each part is recorded, whichever node records it.</summary>
public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task A_part_past_the_part_limit_is_refused_and_not_recorded()
    {
        var upload = await CreateUploadAsync(bytes: 1000);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(AddPartResult.Added, (await Store.AddPartAsync(NewPart(upload, 10), 1000, 3, ProjectQuota.Unlimited, Now, Token)).Result);
        }

        var part = NewPart(upload, 10);
        var refused = await Store.AddPartAsync(part, 1000, 3, ProjectQuota.Unlimited, Now, Token);

        Assert.Equal((AddPartResult.TooManyParts, 30L), (refused.Result, refused.StoredBytes));
        Assert.Equal(3, (await Store.ListPartsAsync(upload.Id, Token)).Count);
        Assert.False(await Store.IsBlobReferencedAsync(part.BlobKey, Token));
        Assert.Equal(new ProjectUsage(30, 0, 1), await Store.ReadProjectUsageAsync(Project, Token));
    }

    [Fact]
    public Task Parts_racing_for_the_last_places_on_one_node_never_pass_the_part_limit() =>
        RacePartsForPartLimitAsync(Store, Store);

    [Fact]
    public async Task Parts_racing_for_the_last_places_on_two_nodes_never_pass_the_part_limit() =>
        await RacePartsForPartLimitAsync(Store, await SecondNodeAsync());

    /// <summary>Eight parts of one upload, alternately on each node, against a limit that leaves room for three.</summary>
    private async Task RacePartsForPartLimitAsync(IMetadataStore first, IMetadataStore second)
    {
        var upload = await CreateUploadAsync(bytes: 1000);
        await AddPartAsync(upload, 10);
        await AddPartAsync(upload, 10);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racing = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            await go.Task;
            return await (i % 2 == 0 ? first : second).AddPartAsync(NewPart(upload, 10), 1000, 5, ProjectQuota.Unlimited, Now, Token);
        }, Token)).ToArray();
        go.SetResult();
        var outcomes = await Task.WhenAll(racing);

        Assert.Equal(3, outcomes.Count(o => o.Result == AddPartResult.Added));
        Assert.All(outcomes.Where(o => o.Result != AddPartResult.Added), o => Assert.Equal(AddPartResult.TooManyParts, o.Result));
        Assert.Equal(5, (await Store.ListPartsAsync(upload.Id, Token)).Count);
        Assert.Equal(new ProjectUsage(50, 0, 1), await Store.ReadProjectUsageAsync(Project, Token));
    }
}
