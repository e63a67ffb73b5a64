using Microsoft.Extensions.Logging;
using Tessera.Testing.Engines;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// Several Tessera nodes on one PostgreSQL database and one S3 bucket, as behind a load balancer: any node takes any
/// request of any upload. Each node is a real server with its own clock, its own log capture and its own data
/// folder (which PostgreSQL and S3 leave unused). Always PostgreSQL and S3, whatever <see cref="TesseraTestServer.StorageVariable"/> says.
/// </summary>
public sealed class Cluster : IAsyncDisposable
{
    /// <summary>The value of the <see cref="StorageTraits.Name"/> trait that marks tests on a cluster, to run once rather than in every storage pass.</summary>
    public const string ScaleOut = "scale-out";

    private readonly List<TesseraTestServer> _nodes;
    private readonly List<LogCapture> _logs;

    private Cluster(List<TesseraTestServer> nodes, List<LogCapture> logs, S3Engine s3, string bucket)
    {
        _nodes = nodes;
        _logs = logs;
        S3 = s3;
        Bucket = bucket;
    }

    public IReadOnlyList<TesseraTestServer> Nodes => _nodes;

    public TesseraTestServer this[int index] => _nodes[index];

    /// <summary>The S3 engine the nodes share, to count the requests it received in <see cref="Bucket"/>.</summary>
    public S3Engine S3 { get; }

    public string Bucket { get; }

    /// <summary>Each node's log, in the order of <see cref="Nodes"/>.</summary>
    public IReadOnlyList<LogCapture> Logs => _logs;

    /// <summary>Every log entry of level Error or above written by any node.</summary>
    public IReadOnlyList<LogCapture.Entry> Errors => [.. _logs.SelectMany(log => log.Entries).Where(entry => entry.Level >= LogLevel.Error)];

    /// <summary>
    /// Starts <paramref name="count"/> nodes on a fresh database of <paramref name="postgres"/> and a fresh bucket of
    /// <paramref name="s3"/> (the engines shared by the test process when null). The sweeper's timer is quiet, so tests
    /// sweep when they choose (<see cref="TesseraTestServerExtensions"/>).
    /// </summary>
    public static async Task<Cluster> StartAsync(int count, PostgresEngine? postgres = null, S3Engine? s3 = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        postgres ??= await PostgresEngine.GetSharedAsync();
        s3 ??= await S3Engine.SharedAsync();
        var bucket = await s3.CreateBucketAsync(CancellationToken.None);
        var shared = new Dictionary<string, string>(s3.SettingsFor(bucket))
        {
            ["Tessera:Metadata:Provider"] = "Postgres",
            ["Tessera:Metadata:ConnectionString"] = await postgres.CreateDatabaseAsync(CancellationToken.None),
            ["Tessera:Sweeper:IntervalSeconds"] = "3600",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            shared[key] = value;
        }

        var nodes = new List<TesseraTestServer>();
        var logs = new List<LogCapture>();
        var cluster = new Cluster(nodes, logs, s3, bucket);
        try
        {
            for (var i = 0; i < count; i++)
            {
                // One at a time: the first node migrates the schema, and the others find it done.
                var log = new LogCapture();
                logs.Add(log);
                nodes.Add(await TesseraTestServer.StartAsync(settings: shared, configureServices: log.AddTo));
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>One client per node, in the order of <see cref="Nodes"/>.</summary>
    public HttpClient[] CreateClients() => [.. _nodes.Select(node => node.CreateClient())];

    /// <summary>Moves every node's clock on by <paramref name="delta"/>.</summary>
    public void Advance(TimeSpan delta)
    {
        foreach (var node in _nodes)
        {
            node.Clock.Advance(delta);
        }
    }

    /// <summary>The keys of every blob in the shared bucket.</summary>
    public Task<IReadOnlyList<string>> StoredBlobKeysAsync() => _nodes[0].StoredBlobKeysAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }
}
