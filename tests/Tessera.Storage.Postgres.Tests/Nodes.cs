using Npgsql;
using Tessera.Domain;
using Tessera.Testing.Engines;

namespace Tessera.Storage.Postgres.Tests;

/// <summary>
/// Several store instances on one fresh database, each with its own connection pool, as separate Tessera nodes
/// would have; and records to put in them.
/// </summary>
internal sealed class Nodes : IAsyncDisposable
{
    private Nodes(string connectionString, PostgresMetadataStore[] stores)
    {
        ConnectionString = connectionString;
        Stores = stores;
    }

    public string ConnectionString { get; }

    public IReadOnlyList<PostgresMetadataStore> Stores { get; }

    public PostgresMetadataStore A => Stores[0];

    public PostgresMetadataStore B => Stores[1];

    /// <summary><paramref name="count"/> stores on a new database of the shared engine, the schema created.</summary>
    public static async Task<Nodes> StartAsync(int count = 2, Action<PostgresMetadataOptions>? configure = null)
    {
        var engine = await PostgresEngine.GetSharedAsync();
        return await StartAsync(await engine.CreateDatabaseAsync(TestContext.Current.CancellationToken), count, configure);
    }

    public static async Task<Nodes> StartAsync(string connectionString, int count = 2, Action<PostgresMetadataOptions>? configure = null)
    {
        var stores = Enumerable.Range(0, count).Select(_ =>
        {
            var options = new PostgresMetadataOptions { ConnectionString = connectionString };
            configure?.Invoke(options);
            return new PostgresMetadataStore(options);
        }).ToArray();
        await stores[0].InitializeAsync(TestContext.Current.CancellationToken);
        return new Nodes(connectionString, stores);
    }

    /// <summary>Runs one SQL statement outside the stores and answers its first column of the first row.</summary>
    public async Task<T> QueryScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in Stores)
        {
            await store.DisposeAsync();
        }
    }

    public static Upload NewUpload(long now, long bytes = 10, long expiresIn = 3600) => new()
    {
        Id = "upload_" + Guid.NewGuid().ToString("N"),
        ProjectId = "alpha",
        Filename = "data.jsonl",
        Purpose = "batch",
        Bytes = bytes,
        MimeType = "text/jsonl",
        CreatedAt = now,
        ExpiresAt = now + expiresIn,
        Status = UploadStatus.Pending,
    };

    public static UploadPart NewPart(Upload upload, long now, long bytes = 10) => new()
    {
        Id = "part_" + Guid.NewGuid().ToString("N"),
        UploadId = upload.Id,
        Bytes = bytes,
        CreatedAt = now,
        BlobKey = "blob_" + Guid.NewGuid().ToString("N"),
    };

    public static StoredFile NewFile(long now, long bytes = 10, long? expiresAt = null) => new()
    {
        Id = "file-" + Guid.NewGuid().ToString("N"),
        ProjectId = "alpha",
        Filename = "data.jsonl",
        Purpose = "batch",
        Bytes = bytes,
        CreatedAt = now,
        ExpiresAt = expiresAt,
    };

    /// <summary>Starts every action at once, as far as threads allow, and waits for all.</summary>
    public static async Task<T[]> RaceAsync<T>(params Func<Task<T>>[] actions)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = actions.Select(action => Task.Run(async () =>
        {
            await start.Task;
            return await action();
        })).ToArray();
        start.SetResult();
        return await Task.WhenAll(running);
    }
}
