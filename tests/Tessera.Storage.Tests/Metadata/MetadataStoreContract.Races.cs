using Tessera.Domain;

namespace Tessera.Storage.Tests.Metadata;

/// <summary>
/// Requests that race on one upload, on one node or on two that share the store: every transition is atomic, so
/// exactly one wins and nothing it let go is lost. Each race runs many times, until each possible winner was seen.
/// </summary>
public abstract partial class MetadataStoreContract
{
    private const int MinRuns = 30;
    private const int MaxRuns = 300;

    [Fact]
    public Task Cancel_racing_complete_on_one_node_has_exactly_one_winner_whose_state_the_loser_sees() =>
        RaceCancelAgainstCompleteAsync(Store, Store);

    [Fact]
    public async Task Cancel_racing_complete_on_two_nodes_has_exactly_one_winner_whose_state_the_loser_sees() =>
        await RaceCancelAgainstCompleteAsync(Store, await SecondNodeAsync());

    [Fact]
    public Task A_part_racing_a_cancel_on_one_node_is_refused_or_made_garbage() =>
        RacePartAgainstCancelAsync(Store, Store);

    [Fact]
    public async Task A_part_racing_a_cancel_on_two_nodes_is_refused_or_made_garbage() =>
        await RacePartAgainstCancelAsync(Store, await SecondNodeAsync());

    [Fact]
    public Task Two_sweepers_on_one_node_expire_everything_once_and_leave_no_garbage() =>
        RaceSweepersAsync(Store, Store);

    [Fact]
    public async Task Two_sweepers_on_two_nodes_expire_everything_once_and_leave_no_garbage() =>
        await RaceSweepersAsync(Store, await SecondNodeAsync());

    private async Task RaceCancelAgainstCompleteAsync(IMetadataStore cancelling, IMetadataStore completing)
    {
        var winners = new HashSet<UploadStatus>();
        var run = 0;
        for (; run < MaxRuns && (run < MinRuns || winners.Count < 2); run++)
        {
            var upload = await CreateUploadAsync(bytes: 10);
            var listed = await AddPartAsync(upload, 10);
            var unlisted = await AddPartAsync(upload, 5);
            var file = NewFile(upload);

            var (cancelled, completed) = await RunTogetherAsync(
                () => cancelling.CancelUploadAsync(upload.Id, Now, Token),
                () => completing.CompleteUploadAsync(upload.Id, [listed.Id], file, Now, Token),
                secondFirst: run % 2 == 1);

            Assert.True(cancelled.Succeeded ^ completed.Succeeded, $"run {run}: cancel {cancelled.Succeeded}, complete {completed.Succeeded}");
            var winner = cancelled.Succeeded ? UploadStatus.Cancelled : UploadStatus.Completed;
            winners.Add(winner);
            var loser = cancelled.Succeeded ? completed : cancelled;
            Assert.Equal(winner, loser.Upload?.Status);
            foreach (var node in new[] { cancelling, completing })
            {
                Assert.Equal(winner, (await node.FindUploadAsync(Project, upload.Id, Token))?.Status);
            }

            var garbage = (await AllGarbageAsync()).Where(k => k == listed.BlobKey || k == unlisted.BlobKey).Order();
            if (winner == UploadStatus.Completed)
            {
                Assert.Equal([new FileSegment(listed.BlobKey, 10)], await Store.ListFileSegmentsAsync(file.Id, Token));
                Assert.Equal([unlisted.BlobKey], garbage);
            }
            else
            {
                Assert.Null(await Store.FindFileAsync(Project, file.Id, Now, Token));
                Assert.Equal(new[] { listed.BlobKey, unlisted.BlobKey }.Order(), garbage);
            }
        }

        Assert.True(winners.Count == 2, $"In {run} runs only {string.Join(", ", winners)} ever won.");
    }

    private async Task RacePartAgainstCancelAsync(IMetadataStore adding, IMetadataStore cancelling)
    {
        var results = new HashSet<AddPartResult>();
        var run = 0;
        for (; run < MaxRuns && (run < MinRuns || results.Count < 2); run++)
        {
            var upload = await CreateUploadAsync(bytes: 100);
            var earlier = await AddPartAsync(upload, 10);
            var racing = NewPart(upload, 10);

            var (added, cancelled) = await RunTogetherAsync(
                () => adding.AddPartAsync(racing, upload.Bytes, Now, Token),
                () => cancelling.CancelUploadAsync(upload.Id, Now, Token),
                secondFirst: run % 2 == 1);

            Assert.True(cancelled.Succeeded);
            results.Add(added.Result);
            var garbage = (await AllGarbageAsync()).ToHashSet();
            Assert.Contains(earlier.BlobKey, garbage);
            if (added.Result == AddPartResult.Added)
            {
                // Added before the cancel: the cancel let it go with the rest.
                Assert.Contains(racing.BlobKey, garbage);
            }
            else
            {
                // Refused: the caller deletes its blob, so nothing may still name it.
                Assert.Equal(AddPartResult.UploadNotPending, added.Result);
                Assert.Equal(UploadStatus.Cancelled, added.Upload?.Status);
                Assert.False(await Store.IsBlobReferencedAsync(racing.BlobKey, Token), $"run {run}: a refused part's blob is still referenced");
            }
        }

        Assert.True(results.Count == 2, $"In {run} runs the part was only ever {string.Join(", ", results)}.");
    }

    private async Task RaceSweepersAsync(IMetadataStore first, IMetadataStore second)
    {
        var deadline = Now + 60;
        var live = await CreateUploadAsync(expiresAt: Now + 3600);
        var livePart = await AddPartAsync(live, 10);
        var (liveFile, _) = await CreateFileAsync(NewFile(createdAt: Now));
        for (var round = 0; round < 5; round++)
        {
            var expected = new HashSet<string>();
            for (var i = 0; i < 10; i++)
            {
                var upload = await CreateUploadAsync(expiresAt: deadline);
                expected.Add((await AddPartAsync(upload, 10)).BlobKey);
                expected.Add((await AddPartAsync(upload, 20)).BlobKey);
                expected.Add((await CreateFileAsync(NewFile(createdAt: Now, expiresAt: deadline))).BlobKey);
            }

            var (a, b) = await RunTogetherAsync(() => SweepAsync(first, deadline), () => SweepAsync(second, deadline), secondFirst: round % 2 == 1);

            Assert.Equal(20, a.Expired + b.Expired);
            Assert.Equal(expected.Order(), a.Freed.Union(b.Freed).Order());
            Assert.Empty(await AllGarbageAsync());
        }

        Assert.Equal([livePart.Id], (await Store.ListPartsAsync(live.Id, Token)).Select(p => p.Id));
        Assert.NotNull(await Store.FindFileAsync(Project, liveFile.Id, Now, Token));
        // Each sweeper freed what it expired from the project's usage, once: what is left is what lives.
        Assert.Equal(new ProjectUsage(livePart.Bytes + liveFile.Bytes, 1, 1), await Store.ReadProjectUsageAsync(Project, Token));
    }

    /// <summary>One round of a sweeper as the host runs it: expire what is due, then free garbage in batches until none is left.</summary>
    private static async Task<(int Expired, HashSet<string> Freed)> SweepAsync(IMetadataStore store, long now)
    {
        var expired = (await store.ExpireOverdueAsync(now, Token)).Count;
        var freed = new HashSet<string>();
        while (await store.ListGarbageAsync(4, Token) is { Count: > 0 } batch)
        {
            freed.UnionWith(batch);
            await store.ForgetGarbageAsync(batch, Token);
        }

        return (expired, freed);
    }

    /// <summary>
    /// Starts both calls on the thread pool at the same moment and waits for both. Which one the pool runs first
    /// can be the same every time on a busy machine, so <paramref name="secondFirst"/> swaps the order they are queued
    /// in: alternated between runs, each call gets to be ahead.
    /// </summary>
    private static async Task<(T1, T2)> RunTogetherAsync<T1, T2>(Func<Task<T1>> first, Func<Task<T2>> second, bool secondFirst)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<T1> one;
        Task<T2> two;
        if (secondFirst)
        {
            two = StartAsync(second);
            one = StartAsync(first);
        }
        else
        {
            one = StartAsync(first);
            two = StartAsync(second);
        }

        go.SetResult();
        return (await one, await two);

        Task<T> StartAsync<T>(Func<Task<T>> call) => Task.Run(async () =>
        {
            await go.Task;
            return await call();
        }, Token);
    }
}
