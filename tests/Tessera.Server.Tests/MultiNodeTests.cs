using System.Collections.Concurrent;
using System.Net;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Storage;
using Tessera.Testing.Engines;

namespace Tessera.Server.Tests;

/// <summary>
/// Three nodes on one PostgreSQL database and one S3 bucket, as behind a load balancer that sends each request to
/// any node: an upload spread over every node, the transitions of docs/api.md section 4 raced across nodes, and
/// every node sweeping at once.
/// </summary>
[Trait(StorageTraits.Name, Cluster.ScaleOut)]
public sealed class MultiNodeTests
{
    private const int NodeCount = 3;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_upload_whose_parts_went_to_every_node_completes_on_another_and_reads_back_whole_from_a_third()
    {
        await using var cluster = await Cluster.StartAsync(NodeCount);
        var clients = cluster.CreateClients();
        var parts = Enumerable.Range(0, 7).Select(i => Api.RandomBytes(50_000 + (i * 7_919))).ToArray();
        var content = parts.SelectMany(part => part).ToArray();
        var uploadId = (await clients[0].CreateUploadAsync(content.Length)).Id();

        // Part i to node i % 3, all at once.
        var partIds = await Task.WhenAll(parts.Select((part, i) => clients[i % NodeCount].AddPartAsync(uploadId, part)));

        var listings = await Task.WhenAll(clients.Select(client => ListPartsAsync(client, uploadId)));
        Assert.All(listings, listing => Assert.Equal(listings[0], listing));
        Assert.Equal(partIds.Order(StringComparer.Ordinal), listings[0].Select(part => part.Id).Order(StringComparer.Ordinal));
        Assert.Equal(partIds.Select((id, i) => (id, (long)parts[i].Length, Crc32C.ToHeaderValue(Crc32C.Compute(parts[i])))).OrderBy(p => p.id, StringComparer.Ordinal),
            listings[0].Select(p => (p.Id, p.Bytes, p.Crc32C)).OrderBy(p => p.Id, StringComparer.Ordinal));

        var completed = await clients[1].CompleteAsync(uploadId, partIds, Api.Md5Hex(content));
        var fileId = completed.GetProperty("file").Id();

        Assert.Equal(content, await clients[2].GetByteArrayAsync($"files/{fileId}/content", Token));
        foreach (var client in clients)
        {
            var upload = await (await client.GetAsync($"uploads/{uploadId}", Token)).ShouldSucceedAsync();
            Assert.Equal("completed", upload.GetProperty("status").GetString());
            var file = await (await client.GetAsync($"files/{fileId}", Token)).ShouldSucceedAsync();
            Assert.Equal(content.Length, file.GetProperty("bytes").GetInt64());
        }
    }

    [Fact]
    public async Task Cancel_and_complete_racing_on_two_nodes_have_exactly_one_winner_and_every_node_agrees_on_it()
    {
        const int rounds = 200;
        await using var cluster = await Cluster.StartAsync(NodeCount);
        var clients = cluster.CreateClients();
        var outcomes = new ConcurrentBag<string>();

        await Parallel.ForEachAsync(Enumerable.Range(0, rounds), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Token }, async (round, _) =>
        {
            var (creator, cancelNode, completeNode) = (clients[round % NodeCount], clients[(round + 1) % NodeCount], clients[(round + 2) % NodeCount]);
            var data = Api.RandomBytes(64);
            var uploadId = (await creator.CreateUploadAsync(data.Length)).Id();
            var partId = await creator.AddPartAsync(uploadId, data);

            // Either may reach its node first; both are on the wire together.
            Task<HttpResponseMessage> cancel, complete;
            if (round % 2 == 0)
            {
                cancel = cancelNode.PostCancelAsync(uploadId);
                complete = completeNode.PostCompleteAsync(uploadId, [partId]);
            }
            else
            {
                complete = completeNode.PostCompleteAsync(uploadId, [partId]);
                cancel = cancelNode.PostCancelAsync(uploadId);
            }

            using var cancelled = await cancel;
            using var completed = await complete;
            Assert.True(cancelled.IsSuccessStatusCode ^ completed.IsSuccessStatusCode,
                $"round {round}: cancel {(int)cancelled.StatusCode}, complete {(int)completed.StatusCode}");
            var winner = cancelled.IsSuccessStatusCode ? "cancelled" : "completed";
            var winning = await (cancelled.IsSuccessStatusCode ? cancelled : completed).ShouldSucceedAsync();
            Assert.Equal(winner, winning.GetProperty("status").GetString());

            // The loser is refused for the state the winner left, not for anything else.
            var refusal = await (cancelled.IsSuccessStatusCode ? completed : cancelled).ShouldFailAsync(HttpStatusCode.BadRequest, "upload_id");
            Assert.Contains(winner, refusal.GetProperty("message").GetString());

            foreach (var client in clients)
            {
                var upload = await (await client.GetAsync($"uploads/{uploadId}", Token)).ShouldSucceedAsync();
                Assert.Equal(winner, upload.GetProperty("status").GetString());
                if (winner == "completed")
                {
                    Assert.Equal(winning.GetProperty("file").Id(), upload.GetProperty("file").Id());
                }
            }

            outcomes.Add(winner);
        });

        Assert.Equal(rounds, outcomes.Count);
        Assert.Contains("cancelled", outcomes);
        Assert.Contains("completed", outcomes);
    }

    [Fact]
    public async Task A_part_arriving_on_one_node_while_another_cancels_the_upload_is_refused_or_stored_and_then_freed()
    {
        const int rounds = 30;
        await using var cluster = await Cluster.StartAsync(NodeCount);
        var clients = cluster.CreateClients();
        var outcomes = new ConcurrentBag<HttpStatusCode>();

        await Parallel.ForEachAsync(Enumerable.Range(0, rounds), new ParallelOptions { MaxDegreeOfParallelism = 3, CancellationToken = Token }, async (round, _) =>
        {
            var (canceller, sender) = (clients[round % NodeCount], clients[(round + 2) % NodeCount]);
            var first = Api.RandomBytes(1000);
            var late = Api.RandomBytes(256 * 1024);
            var uploadId = (await canceller.CreateUploadAsync(first.Length + late.Length)).Id();
            var firstPartId = await canceller.AddPartAsync(uploadId, first);

            // The part's bytes are still arriving when the cancel lands, sooner or later in them.
            var part = sender.PostPartAsync(uploadId, late);
            await Task.Delay(round % 10, Token);
            using var cancelled = await canceller.PostCancelAsync(uploadId);
            await cancelled.ShouldSucceedAsync();
            using var partAnswer = await part;
            outcomes.Add(partAnswer.StatusCode);

            var partIds = new List<string> { firstPartId };
            if (partAnswer.IsSuccessStatusCode)
            {
                partIds.Add((await partAnswer.ShouldSucceedAsync()).Id());
            }
            else
            {
                var refusal = await partAnswer.ShouldFailAsync(HttpStatusCode.BadRequest, "upload_id");
                Assert.Contains("cancelled", refusal.GetProperty("message").GetString());
            }

            // No node can make a file of it afterwards, with or without the late part.
            foreach (var client in clients)
            {
                var upload = await (await client.GetAsync($"uploads/{uploadId}", Token)).ShouldSucceedAsync();
                Assert.Equal("cancelled", upload.GetProperty("status").GetString());
                await (await client.PostCompleteAsync(uploadId, partIds)).ShouldFailAsync(HttpStatusCode.BadRequest, "upload_id");
            }
        });

        // Nothing was completed, so every byte stored, acknowledged or refused, is freed (by this round, or by a
        // background sweeper the cancel woke, which may have claimed the garbage first).
        await cluster[1].Reclaimer.DeleteGarbageAsync(Token);
        await Eventually.HoldsAsync(async () => (await cluster.StoredBlobKeysAsync()).Count == 0, "every blob is freed");
        Assert.All(outcomes, status => Assert.Contains(status, new[] { HttpStatusCode.OK, HttpStatusCode.BadRequest }));
        Assert.Empty(cluster.Errors);
    }

    [Fact]
    public async Task Every_node_sweeping_at_once_frees_every_expired_blob_and_keeps_every_file()
    {
        await using var cluster = await Cluster.StartAsync(NodeCount);
        var clients = cluster.CreateClients();
        var freedBySweep = new List<string>();
        var freedByCancel = new List<string>();
        var kept = new List<(string FileId, byte[] Content, string[] PartIds)>();
        var expiringFiles = new List<string>();
        var pendingUploads = new List<string>();

        for (var i = 0; i < 6; i++)
        {
            var (a, b) = (clients[i % NodeCount], clients[(i + 1) % NodeCount]);

            // A pending upload: its parts are freed when it expires.
            var pending = (await a.CreateUploadAsync(100)).Id();
            pendingUploads.Add(pending);
            freedBySweep.Add(await a.AddPartAsync(pending, Api.RandomBytes(10)));
            freedBySweep.Add(await b.AddPartAsync(pending, Api.RandomBytes(20)));

            // A cancelled upload: its parts are garbage already.
            var cancelled = (await b.CreateUploadAsync(100)).Id();
            freedByCancel.Add(await a.AddPartAsync(cancelled, Api.RandomBytes(30)));
            await (await b.PostCancelAsync(cancelled)).ShouldSucceedAsync();

            // A file that expires an hour after its upload was created.
            var expiring = await a.CreateUploadAsync(8, expiresAfter: new { anchor = "created_at", seconds = 3600 });
            var expiringParts = new[] { await a.AddPartAsync(expiring.Id(), Api.RandomBytes(4)), await b.AddPartAsync(expiring.Id(), Api.RandomBytes(4)) };
            expiringFiles.Add((await b.CompleteAsync(expiring.Id(), expiringParts)).GetProperty("file").Id());
            freedBySweep.AddRange(expiringParts);

            // A file that never expires.
            var content = Api.RandomBytes(3000 + i);
            var upload = (await b.CreateUploadAsync(content.Length)).Id();
            var keptParts = new[] { await a.AddPartAsync(upload, content[..1000]), await b.AddPartAsync(upload, content[1000..]) };
            kept.Add(((await a.CompleteAsync(upload, keptParts)).GetProperty("file").Id(), content, keptParts));
        }

        Assert.Subset((await cluster.StoredBlobKeysAsync()).ToHashSet(), freedBySweep.ToHashSet());

        cluster.Advance(TimeSpan.FromHours(2));
        await Task.WhenAll(cluster.Nodes.Select(node => Task.Run(async () =>
        {
            await node.Reclaimer.ExpireOverdueAsync(Token);
            await node.Reclaimer.DeleteGarbageAsync(Token);
        }, Token)));

        await Eventually.HoldsAsync(
            async () => !(await cluster.StoredBlobKeysAsync()).Intersect(freedBySweep.Concat(freedByCancel)).Any(),
            "every expired or cancelled part's blob is freed");
        var stored = (await cluster.StoredBlobKeysAsync()).ToHashSet();
        Assert.Subset(stored, kept.SelectMany(file => file.PartIds).ToHashSet());
        foreach (var client in clients)
        {
            foreach (var (fileId, content, _) in kept)
            {
                Assert.Equal(content, await client.GetByteArrayAsync($"files/{fileId}/content", Token));
            }

            foreach (var fileId in expiringFiles)
            {
                await (await client.GetAsync($"files/{fileId}", Token)).ShouldFailAsync(HttpStatusCode.NotFound, "id");
            }

            foreach (var uploadId in pendingUploads)
            {
                var upload = await (await client.GetAsync($"uploads/{uploadId}", Token)).ShouldSucceedAsync();
                Assert.Equal("expired", upload.GetProperty("status").GetString());
            }
        }

        Assert.Empty(cluster.Errors);
    }

    [Fact]
    public async Task Completing_an_upload_of_several_parts_without_md5_neither_reads_nor_copies_any_object()
    {
        await using var cluster = await Cluster.StartAsync(NodeCount);
        var clients = cluster.CreateClients();
        var parts = Enumerable.Range(0, 3).Select(i => Api.RandomBytes(100_000 + i)).ToArray();
        var uploadId = (await clients[0].CreateUploadAsync(parts.Sum(part => part.Length))).Id();
        var partIds = await Task.WhenAll(parts.Select((part, i) => clients[i].AddPartAsync(uploadId, part)));

        var duringComplete = await RequestsDuringAsync(cluster, async () => await clients[1].CompleteAsync(uploadId, partIds));

        // A copy is a PUT of an object or of a part; a read is a GET.
        S3RequestKind[] readsOrCopies = [S3RequestKind.GetObject, S3RequestKind.PutObject, S3RequestKind.UploadPart, S3RequestKind.CreateMultipartUpload, S3RequestKind.CompleteMultipartUpload];
        Assert.DoesNotContain(duringComplete, request => readsOrCopies.Contains(request.Kind));

        // The count sees reads: the content is read from the parts' objects.
        var fileId = (await (await clients[2].GetAsync($"uploads/{uploadId}", Token)).ShouldSucceedAsync()).GetProperty("file").Id();
        var duringRead = await RequestsDuringAsync(cluster, async () => await clients[2].GetByteArrayAsync($"files/{fileId}/content", Token));
        Assert.True(duringRead.Count(request => request.Kind == S3RequestKind.GetObject) >= parts.Length, "reading the content read no object");
    }

    /// <summary>
    /// The requests the bucket received while <paramref name="action"/> ran. The engine's log arrives a moment after
    /// its requests, so a marker request (a read of an object that is not there) closes the window.
    /// </summary>
    private static async Task<IReadOnlyList<S3Request>> RequestsDuringAsync(Cluster cluster, Func<Task> action)
    {
        var start = cluster.S3.Requests.Count;
        await action();
        var marker = $"marker-{Guid.NewGuid():N}";
        await Assert.ThrowsAsync<BlobNotFoundException>(() => cluster[0].Blobs.OpenReadAsync(marker, 0, Token));
        for (var wait = 0; wait < 200 && !cluster.S3.Requests.Skip(start).Any(request => request.Path.Contains(marker, StringComparison.Ordinal)); wait++)
        {
            await Task.Delay(25, Token);
        }

        var requests = cluster.S3.Requests.Skip(start).ToList();
        var end = requests.FindIndex(request => request.Path.Contains(marker, StringComparison.Ordinal));
        Assert.True(end >= 0, "the S3 engine never logged the marker request");
        return [.. requests.Take(end).Where(request => request.Bucket == cluster.Bucket)];
    }

    private static async Task<IReadOnlyList<(string Id, long Bytes, string Crc32C)>> ListPartsAsync(HttpClient client, string uploadId)
    {
        var page = await (await client.GetAsync($"uploads/{uploadId}/parts", Token)).ShouldSucceedAsync();
        return [.. page.GetProperty("data").EnumerateArray().Select(part =>
            (part.Id(), part.GetProperty("bytes").GetInt64(), part.GetProperty("crc32c").GetString()!))];
    }
}
