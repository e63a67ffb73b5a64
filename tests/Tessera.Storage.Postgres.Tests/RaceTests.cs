using Tessera.Domain;

namespace Tessera.Storage.Postgres.Tests;

/// <summary>Transitions of one upload raced from two nodes, each with its own connection pool.</summary>
public sealed class RaceTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Cancel_on_one_node_racing_complete_on_another_has_exactly_one_winner_every_time()
    {
        await using var nodes = await Nodes.StartAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var cancelsWon = 0;
        var completesWon = 0;

        for (var round = 0; round < 200; round++)
        {
            var upload = Nodes.NewUpload(now, bytes: 20);
            var kept = Nodes.NewPart(upload, now);
            var other = Nodes.NewPart(upload, now);
            var unlisted = Nodes.NewPart(upload, now);
            await nodes.A.CreateUploadAsync(upload, Token);
            foreach (var part in new[] { kept, other, unlisted })
            {
                Assert.Equal(AddPartResult.Added, (await nodes.A.AddPartAsync(part, 1000, now, Token)).Result);
            }

            var file = Nodes.NewFile(now, bytes: 20);
            var outcomes = await Nodes.RaceAsync(
                () => nodes.A.CancelUploadAsync(upload.Id, now, Token),
                () => nodes.B.CompleteUploadAsync(upload.Id, [kept.Id, other.Id], file, now, Token));
            var (cancel, complete) = (outcomes[0], outcomes[1]);

            Assert.True(cancel.Succeeded ^ complete.Succeeded, $"round {round}: cancel {cancel.Succeeded}, complete {complete.Succeeded}");
            var stored = await nodes.B.FindUploadAsync("alpha", upload.Id, Token);
            Assert.Empty(await nodes.A.ListPartsAsync(upload.Id, Token));
            if (cancel.Succeeded)
            {
                cancelsWon++;
                Assert.Equal(UploadStatus.Cancelled, stored!.Status);
                Assert.Equal(UploadStatus.Cancelled, complete.Upload!.Status);
                Assert.Null(await nodes.A.FindFileAsync("alpha", file.Id, now, Token));
                Assert.True(await nodes.A.IsBlobReferencedAsync(kept.BlobKey, Token));
            }
            else
            {
                completesWon++;
                Assert.Equal(UploadStatus.Completed, stored!.Status);
                Assert.Equal(file.Id, stored.FileId);
                Assert.Equal(UploadStatus.Completed, cancel.Upload!.Status);
                Assert.Equal([kept.BlobKey, other.BlobKey], (await nodes.A.ListFileSegmentsAsync(file.Id, Token)).Select(s => s.BlobKey));
            }
        }

        // Both orders happened, so the race was real and each outcome was checked.
        Assert.True(cancelsWon > 0, $"cancel never won in 200 rounds (complete won {completesWon})");
        Assert.True(completesWon > 0, $"complete never won in 200 rounds (cancel won {cancelsWon})");
        var garbage = await nodes.QueryScalarAsync<long>("SELECT count(*) FROM garbage;");
        Assert.Equal(3L * cancelsWon + completesWon, garbage);
    }

    [Fact]
    public async Task A_part_racing_a_cancel_on_another_node_is_either_refused_or_added_and_freed_with_the_others()
    {
        await using var nodes = await Nodes.StartAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var added = 0;
        var refused = 0;

        for (var round = 0; round < 200; round++)
        {
            var upload = Nodes.NewUpload(now);
            await nodes.A.CreateUploadAsync(upload, Token);
            var part = Nodes.NewPart(upload, now);

            var addTask = Task.Run(() => nodes.A.AddPartAsync(part, 1000, now, Token), Token);
            var cancelTask = Task.Run(() => nodes.B.CancelUploadAsync(upload.Id, now, Token), Token);
            var (add, cancel) = (await addTask, await cancelTask);

            Assert.True(cancel.Succeeded);
            Assert.Empty(await nodes.A.ListPartsAsync(upload.Id, Token));
            var onGarbageList = await nodes.QueryScalarAsync<long>($"SELECT count(*) FROM garbage WHERE blob_key = '{part.BlobKey}';");
            if (add.Result == AddPartResult.Added)
            {
                added++;
                Assert.Equal(1L, onGarbageList);
            }
            else
            {
                refused++;
                Assert.Equal(AddPartResult.UploadNotPending, add.Result);
                Assert.Equal(UploadStatus.Cancelled, add.Upload!.Status);
                Assert.Equal(0L, onGarbageList);
            }
        }

        Assert.True(added > 0 && refused > 0, $"added {added}, refused {refused}: the race always went one way");
    }

    [Fact]
    public async Task Parts_raced_from_two_nodes_never_bring_an_upload_over_its_limit()
    {
        await using var nodes = await Nodes.StartAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var upload = Nodes.NewUpload(now, bytes: 100);
        await nodes.A.CreateUploadAsync(upload, Token);

        var outcomes = await Nodes.RaceAsync(Enumerable.Range(0, 24)
            .Select<int, Func<Task<AddPartOutcome>>>(i => () => (i % 2 == 0 ? nodes.A : nodes.B).AddPartAsync(Nodes.NewPart(upload, now, bytes: 10), 100, now, Token))
            .ToArray());

        Assert.Equal(10, outcomes.Count(o => o.Result == AddPartResult.Added));
        Assert.Equal(14, outcomes.Count(o => o.Result == AddPartResult.TooManyBytes));
        Assert.Equal(100, await nodes.B.SumPartBytesAsync(upload.Id, Token));
    }
}
