using Npgsql;

namespace Tessera.Storage.Postgres;

public sealed partial class PostgresMetadataStore
{
    /// <summary>Runs <paramref name="read"/> on a pooled connection; tried once more if the pooled connection had died.</summary>
    private Task<T> ReadAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken) =>
        RunAsync(read, static () => true, cancellationToken);

    /// <summary>
    /// Runs <paramref name="write"/> in one transaction and commits it. The caller's token can stop the work before
    /// the commit (and so undo it all), not the commit itself. A write whose connection died before the commit was
    /// sent is tried once more, since the server rolled it back; one that died during the commit is not, since it
    /// may have been kept.
    /// </summary>
    private Task<T> WriteAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> write, CancellationToken cancellationToken)
    {
        var committing = false;
        return RunAsync(async (connection, token) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(token);
            var result = await write(connection, token);
            committing = true;
            await transaction.CommitAsync(CancellationToken.None);
            return result;
        }, () => !committing, cancellationToken);
    }

    private async Task<T> RunAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> work, Func<bool> mayRetry, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
                return await work(connection, cancellationToken);
            }
            catch (Exception exception) when (PostgresFailures.Translate(exception, cancellationToken) is { } failure)
            {
                if (!PostgresFailures.IsConnectionLost(exception))
                {
                    throw failure;
                }

                // Whatever killed this connection (a restart, a network fault) most likely killed the other idle
                // ones too, and Npgsql does not test a connection when it lends one: drop them all now rather than
                // let each fail a request of its own.
                _dataSource.Clear();
                if (attempt > 1 || !mayRetry())
                {
                    throw failure;
                }
            }
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException("A query that always answers one row answered none.");
        }

        return reader.GetFieldValue<T>(0);
    }

    private static async Task<List<T>> QueryAsync<T>(
        NpgsqlConnection connection, string sql, (string, object?)[] parameters, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    /// <summary>
    /// Deletes the rows of <paramref name="table"/> (<c>parts</c> or <c>file_segments</c>) matching
    /// <paramref name="where"/> and puts their blobs on the garbage list, in one statement of the caller's
    /// transaction. A row that a concurrent transaction deleted first is skipped, so each blob joins the garbage once.
    /// </summary>
    private static Task<int> ReleaseRowsAsync(
        NpgsqlConnection connection, string table, string where, (string, object?)[] parameters, long now, CancellationToken cancellationToken) =>
        ExecuteAsync(connection,
            $"""
            WITH released AS (DELETE FROM {table} WHERE {where} RETURNING blob_key, bytes)
            INSERT INTO garbage (blob_key, bytes, since) SELECT blob_key, bytes, @since FROM released ON CONFLICT (blob_key) DO NOTHING;
            """,
            [.. parameters, ("since", now)], cancellationToken);
}
