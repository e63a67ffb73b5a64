using System.Net;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>A project's quota holds across nodes that share PostgreSQL and S3: racing nodes cannot both take its last bytes.</summary>
[Trait(StorageTraits.Name, Cluster.ScaleOut)]
public sealed class MultiNodeQuotaTests
{
    private const int PartBytes = 256 * 1024;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Parts_sent_to_two_nodes_at_once_store_exactly_what_the_quota_fits_and_every_node_reports_that_usage()
    {
        await using var cluster = await Cluster.StartAsync(2, settings: new Dictionary<string, string> { ["Tessera:Quotas:Bytes"] = $"{5 * PartBytes}" });
        var clients = cluster.CreateClients();
        var uploads = new[] { (await clients[0].CreateUploadAsync(8 * PartBytes)).Id(), (await clients[1].CreateUploadAsync(8 * PartBytes)).Id() };

        // Part i of upload i % 2 to node (i / 2) % 2: each upload gets parts on both nodes, all at once.
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            clients[(i / 2) % 2].PostPartAsync(uploads[i % 2], Api.RandomBytes(PartBytes))));

        try
        {
            Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
            foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
            {
                await QuotaTests.ShouldBeQuotaRefusalAsync(refused);
            }

            foreach (var client in clients)
            {
                await QuotaTests.UsageShouldBeAsync(client, bytes: 5 * PartBytes, files: 0, pendingUploads: 2);
            }

            Assert.Equal(5, (await cluster.StoredBlobKeysAsync()).Count);
            Assert.Empty(cluster.Errors);
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_file_deleted_on_one_node_gives_its_room_to_a_complete_on_the_other()
    {
        await using var cluster = await Cluster.StartAsync(2, settings: new Dictionary<string, string> { ["Tessera:Quotas:Files"] = "1" });
        var clients = cluster.CreateClients();
        var first = (await clients[0].UploadFileAsync(Api.RandomBytes(100))).Id();
        var uploadId = (await clients[1].CreateUploadAsync(100)).Id();
        var partId = await clients[1].AddPartAsync(uploadId, Api.RandomBytes(100));
        using (var refused = await clients[1].PostCompleteAsync(uploadId, [partId]))
        {
            await QuotaTests.ShouldBeQuotaRefusalAsync(refused);
        }

        (await clients[0].DeleteAsync($"files/{first}", Token)).Dispose();

        await clients[1].CompleteAsync(uploadId, [partId]);
        await QuotaTests.UsageShouldBeAsync(clients[0], bytes: 100, files: 1, pendingUploads: 0);
    }
}
