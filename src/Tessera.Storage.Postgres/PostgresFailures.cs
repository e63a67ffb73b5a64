using System.Net.Sockets;
using Npgsql;

namespace Tessera.Storage.Postgres;

/// <summary>Turns what Npgsql throws into the store's own failures, so no Npgsql type reaches the host.</summary>
internal static class PostgresFailures
{
    // disk_full: the server could not extend a table or write WAL.
    private const string DiskFull = "53100";

    /// <summary>
    /// The store's exception for <paramref name="exception"/>, or null when it is not the database's failure
    /// (the caller's cancellation, a bug in the caller), which then propagates as it is.
    /// </summary>
    public static StorageException? Translate(Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        return exception switch
        {
            PostgresException { SqlState: DiskFull } => new StorageFullException(
                "The metadata database has no disk space left; nothing was changed.", exception),
            PostgresException postgres when IsServerCondition(postgres.SqlState) => new StoreUnavailableException(StoreKind.Metadata,
                $"The metadata database refused the request ({postgres.SqlState}: {postgres.MessageText}).", exception),
            NpgsqlException or TimeoutException or IOException or SocketException => new StoreUnavailableException(StoreKind.Metadata,
                $"The metadata database cannot be reached or did not answer in time: {exception.Message}", exception),
            _ => null,
        };
    }

    /// <summary>
    /// Whether the error is the server's state rather than the statement: connection (08), transaction rollback such
    /// as a deadlock (40), resources (53), a lock not available (55), operator intervention such as a shutdown or a
    /// statement timeout (57), system (58) and internal (XX) errors. A data or syntax error is a fault in Tessera and
    /// must not pass for an outage.
    /// </summary>
    private static bool IsServerCondition(string sqlState) =>
        sqlState.Length == 5 && sqlState[..2] is "08" or "40" or "53" or "55" or "57" or "58" or "XX";

    /// <summary>
    /// Whether the connection the failure happened on is gone: the server went away (shut down, restarted, the
    /// network broke) rather than refusing one statement; nothing sent on it since the transaction began was kept.
    /// </summary>
    public static bool IsConnectionLost(Exception exception) => exception switch
    {
        // admin_shutdown, crash_shutdown, cannot_connect_now, and the connection_exception class.
        PostgresException postgres => postgres.SqlState is "57P01" or "57P02" or "57P03" || postgres.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException { InnerException: IOException or SocketException or EndOfStreamException } => true,
        IOException or SocketException or EndOfStreamException => true,
        _ => false,
    };
}
