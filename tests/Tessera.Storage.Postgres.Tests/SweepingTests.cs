using System.Collections.Concurrent;
using Tessera.Domain;

namespace Tessera.Storage.Postgres.Tests;

public sealed class SweepingTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_nodes_sweeping_at_once_free_each_blob_exactly_once()
    {
        await using var nodes = await Nodes.StartAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var blobs = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            var upload = Nodes.NewUpload(now - 100, expiresIn: 50);
            await nodes.A.CreateUploadAsync(upload, Token);
            for (var p = 0; p < 3; p++)
            {
                var part = Nodes.NewPart(upload, now - 100);
                await nodes.A.AddPartAsync(part, 1000, now - 100, Token);
                blobs.Add(part.BlobKey);
            }

            var file = Nodes.NewFile(now - 100, expiresAt: now - 1);
            var segment = new FileSegment("blob_" + Guid.NewGuid().ToString("N"), 10);
            await nodes.B.CreateFileAsync(file, segment, Token);
            blobs.Add(segment.BlobKey);
        }

        var expired = await Nodes.RaceAsync(
            async () => (await nodes.A.ExpireOverdueAsync(now, Token)).Count,
            async () => (await nodes.B.ExpireOverdueAsync(now, Token)).Count);
        Assert.Equal(80, expired.Sum());

        // What each node's sweeper does: list a batch, delete its blobs, forget them, until nothing is left.
        var deleted = new ConcurrentBag<(string Node, string Blob)>();
        await Nodes.RaceAsync(
            () => SweepAsync("A", nodes.A, deleted),
            () => SweepAsync("B", nodes.B, deleted));

        Assert.Equal(blobs.Order(StringComparer.Ordinal), deleted.Select(d => d.Blob).Order(StringComparer.Ordinal));
        Assert.Equal(0L, await nodes.QueryScalarAsync<long>("SELECT count(*) FROM garbage;"));
        Assert.Empty(await nodes.A.ListGarbageAsync(100, Token));
    }

    [Fact]
    public async Task Garbage_listed_by_a_sweeper_that_never_forgot_it_is_listed_again_once_its_claim_runs_out()
    {
        await using var nodes = await Nodes.StartAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var upload = Nodes.NewUpload(now);
        var part = Nodes.NewPart(upload, now);
        await nodes.A.CreateUploadAsync(upload, Token);
        await nodes.A.AddPartAsync(part, 1000, now, Token);
        await nodes.A.CancelUploadAsync(upload.Id, now, Token);

        Assert.Equal([part.BlobKey], await nodes.A.ListGarbageAsync(10, Token));
        Assert.Empty(await nodes.B.ListGarbageAsync(10, Token));

        // The node that listed it died before forgetting it; its claim lapses.
        await nodes.QueryScalarAsync<int>("UPDATE garbage SET claimed_until = clock_timestamp() - interval '1 second' RETURNING 1;");
        Assert.Equal([part.BlobKey], await nodes.B.ListGarbageAsync(10, Token));
        Assert.True(await nodes.B.IsBlobReferencedAsync(part.BlobKey, Token));
    }

    private static async Task<int> SweepAsync(string node, PostgresMetadataStore store, ConcurrentBag<(string, string)> deleted)
    {
        var rounds = 0;
        while (await store.ListGarbageAsync(7, Token) is { Count: > 0 } garbage)
        {
            foreach (var blob in garbage)
            {
                deleted.Add((node, blob));
            }

            await Task.Yield();
            await store.ForgetGarbageAsync(garbage, Token);
            rounds++;
        }

        return rounds;
    }
}
