using Microsoft.Data.Sqlite;

namespace Tessera.Storage.Sqlite;

/// <summary>
/// The embedded metadata store. Reads open pooled connections, which WAL lets run beside the writer; every write
/// goes through one <see cref="SqliteWriter"/>, which runs each as an atomic unit inside a group transaction, so
/// racing transitions are serialised and each caller is answered only once its write is committed to disk.
/// </summary>
public sealed partial class SqliteMetadataStore : IMetadataStore, IDisposable
{
    private readonly string _connectionString;
    private readonly SqliteWriter _writer;

    /// <param name="databasePath">The database file; created with its folder when missing.</param>
    public SqliteMetadataStore(string databasePath)
    {
        DatabasePath = Path.GetFullPath(databasePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _writer = new SqliteWriter(OpenAsync);
    }

    public string DatabasePath { get; }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        }
        catch (Exception exception) when (SqliteFailures.Translate(exception) is { } translated)
        {
            throw translated;
        }

        await ReadAsync(async (connection, token) =>
        {
            await SqliteSchema.MigrateAsync(connection, token);
            return true;
        }, cancellationToken);
    }

    /// <remarks>
    /// A real write through the writer, committed to disk like any other: a writer that cannot take the write lock, or
    /// a file system that has turned read-only or stopped taking writes, is reported; a read alone would still succeed.
    /// </remarks>
    public Task CheckHealthAsync(CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction, token) => ExecuteAsync(connection, transaction,
            """
            INSERT INTO health_probe (id, checked_at) VALUES (1, CAST(strftime('%s', 'now') AS INTEGER))
            ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at;
            """, [], token), cancellationToken);

    /// <summary>One machine, one clock: an embedded database has no clock of its own to share.</summary>
    public Task<DateTimeOffset> ReadClockAsync(CancellationToken cancellationToken) => Task.FromResult(DateTimeOffset.UtcNow);

    /// <summary>Lets queued writes finish and closes the write connection.</summary>
    public void Dispose() => _writer.Dispose();

    /// <summary>
    /// Runs <paramref name="read"/> on a pooled connection of its own. Failures of the database come out as the
    /// contract's exceptions (<see cref="SqliteFailures"/>).
    /// </summary>
    private async Task<T> ReadAsync<T>(Func<SqliteConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            return await read(connection, cancellationToken);
        }
        catch (Exception exception) when (SqliteFailures.Translate(exception) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> through the one writer (<see cref="SqliteWriter.RunAsync"/>). Failures of the
    /// database, once the writer has dealt with them, come out as the contract's exceptions.
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, CancellationToken, Task<T>> write, CancellationToken cancellationToken)
    {
        try
        {
            return await _writer.RunAsync(write, cancellationToken);
        }
        catch (Exception exception) when (SqliteFailures.Translate(exception) is { } translated)
        {
            throw translated;
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragmas = connection.CreateCommand();
            // FULL: a part acknowledged with 200 survives a power cut, not only a process crash. busy_timeout: SQLite's
            // own wait for a lock held elsewhere (another process on the file, a checkpoint) retries within
            // milliseconds, where Microsoft.Data.Sqlite's retry loop sleeps 150 ms at a time.
            pragmas.CommandText = "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static async Task<int> ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<List<T>> QueryAsync<T>(SqliteConnection connection, SqliteTransaction? transaction, string sql, (string, object?)[] parameters, Func<SqliteDataReader, T> map, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    /// <summary>
    /// Moves the blobs of the rows of <paramref name="table"/> (<c>parts</c> or <c>file_segments</c>) matching
    /// <paramref name="where"/> to the garbage list and deletes those rows, within the caller's transaction.
    /// </summary>
    private static async Task ReleaseRowsAsync(SqliteConnection connection, SqliteTransaction transaction, string table, string where, (string, object?)[] parameters, long now, CancellationToken cancellationToken)
    {
        await MarkGarbageAsync(connection, transaction, $"SELECT blob_key, bytes FROM {table} WHERE {where}", parameters, now, cancellationToken);
        await ExecuteAsync(connection, transaction, $"DELETE FROM {table} WHERE {where};", parameters, cancellationToken);
    }

    /// <summary>Moves the blobs (key and size) that <paramref name="selectBlobs"/> selects to the garbage list, within the caller's transaction.</summary>
    private static Task<int> MarkGarbageAsync(SqliteConnection connection, SqliteTransaction transaction, string selectBlobs, (string, object?)[] parameters, long now, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            $"INSERT OR IGNORE INTO garbage (blob_key, bytes, since) SELECT blob_key, bytes, $since FROM ({selectBlobs});",
            [.. parameters, ("$since", now)], cancellationToken);
}
