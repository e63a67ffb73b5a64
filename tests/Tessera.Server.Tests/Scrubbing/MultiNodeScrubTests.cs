using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Scrubbing;

/// <summary>
/// Two nodes on one PostgreSQL database and one bucket, both scrubbing every second, each round taking seconds: the
/// scrub lease lets one node scrub at a time, and the other skips its turn.
/// </summary>
[Trait(StorageTraits.Name, Cluster.ScaleOut)]
public sealed class MultiNodeScrubTests
{
    private const int Started = 1803;
    private const int Finished = 1804;
    private const int Skipped = 1805;

    [Fact]
    public async Task Two_nodes_sharing_PostgreSQL_never_scrub_at_the_same_time_and_skip_their_turn_while_the_other_does()
    {
        // 4 KiB at 1 KiB a second: every round of both nodes, once the files are stored, takes three seconds at least.
        await using var cluster = await Cluster.StartAsync(2, settings: new Dictionary<string, string>
        {
            ["Tessera:Scrub:IntervalSeconds"] = "1",
            ["Tessera:Scrub:MaxBytesPerSecond"] = "1024",
            ["Logging:LogLevel:Tessera"] = "Information",
        });
        var clients = cluster.CreateClients();
        for (var i = 0; i < 4; i++)
        {
            await clients[i % 2].UploadFileAsync(Api.RandomBytes(1024));
        }

        await Eventually.HoldsAsync(
            () => Task.FromResult(Events(cluster).Count(e => e.Entry.EventId.Id == Finished && e.Entry.Message.Contains(": 4 blobs checked", StringComparison.Ordinal)) >= 3),
            "three rounds that checked the four files have finished", TimeSpan.FromSeconds(90));

        var running = -1;
        foreach (var (node, entry) in Events(cluster))
        {
            switch (entry.EventId.Id)
            {
                case Started:
                    Assert.True(running == -1, $"node {node} started a round while node {running} was scrubbing:\n{Timeline(cluster)}");
                    running = node;
                    break;
                case Finished:
                    Assert.Equal(node, running);
                    running = -1;
                    break;
            }
        }

        Assert.Contains(Events(cluster), e => e.Entry.EventId.Id == Skipped);
        Assert.Empty(cluster.Errors);
    }

    /// <summary>Every scrub entry of every node, in the order they were written.</summary>
    private static List<(int Node, LogCapture.Entry Entry)> Events(Cluster cluster) =>
        [.. cluster.Logs
            .SelectMany((log, node) => log.Entries.Select(entry => (Node: node, Entry: entry)))
            .Where(e => e.Entry.EventId.Id is >= 1801 and <= 1809)
            .OrderBy(e => e.Entry.Sequence)];

    private static string Timeline(Cluster cluster) =>
        string.Join('\n', Events(cluster).Select(e => $"node {e.Node}: {e.Entry.Message}"));
}
