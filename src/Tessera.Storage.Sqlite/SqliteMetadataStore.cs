using Microsoft.Data.Sqlite;

namespace Tessera.Storage.Sqlite;

/// <summary>
/// The embedded metadata store. Each operation opens a pooled connection; each transition is one
/// <c>BEGIN IMMEDIATE</c> transaction, so SQLite's single writer serialises racing transitions.
/// </summary>
public sealed partial class SqliteMetadataStore : IMetadataStore
{
    private readonly string _connectionString;

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
    }

    public string DatabasePath { get; }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        await using var connection = await OpenAsync(cancellationToken);
        await SqliteSchema.MigrateAsync(connection, cancellationToken);
    }

    public async Task CheckHealthAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken);
        await ExecuteAsync(connection, transaction, "SELECT count(*) FROM uploads WHERE 0;", [], cancellationToken);
        await transaction.RollbackAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragmas = connection.CreateCommand();
            // FULL: a part acknowledged with 200 survives a power cut, not only a process crash.
            pragmas.CommandText = "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A write transaction that takes SQLite's write lock at once (<c>BEGIN IMMEDIATE</c>), so checks and writes inside it see no interleaving.</summary>
    private static Task<SqliteTransaction> BeginWriteAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Microsoft.Data.Sqlite has no asynchronous BEGIN; a non-deferred transaction is BEGIN IMMEDIATE.
        return Task.FromResult(connection.BeginTransaction(deferred: false));
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
        await MarkGarbageAsync(connection, transaction, $"SELECT blob_key FROM {table} WHERE {where}", parameters, now, cancellationToken);
        await ExecuteAsync(connection, transaction, $"DELETE FROM {table} WHERE {where};", parameters, cancellationToken);
    }

    /// <summary>Moves the blobs named by <paramref name="selectBlobKeys"/> to the garbage list, within the caller's transaction.</summary>
    private static Task<int> MarkGarbageAsync(SqliteConnection connection, SqliteTransaction transaction, string selectBlobKeys, (string, object?)[] parameters, long now, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            $"INSERT OR IGNORE INTO garbage (blob_key, since) SELECT blob_key, $since FROM ({selectBlobKeys});",
            [.. parameters, ("$since", now)], cancellationToken);
}
