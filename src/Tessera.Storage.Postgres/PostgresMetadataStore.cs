using Npgsql;

namespace Tessera.Storage.Postgres;

/// <summary>
/// The metadata store that several nodes share. Each operation borrows a pooled connection; every state
/// transition is one transaction that first locks the upload's row, so transitions racing from different nodes
/// are serialised by PostgreSQL and exactly one of them wins. Failures surface as <see cref="StoreUnavailableException"/>
/// (or <see cref="StorageFullException"/>) within the timeouts of <see cref="PostgresMetadataOptions"/>.
/// </summary>
public sealed partial class PostgresMetadataStore : IMetadataStore, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Builds the store's connection pool; nothing is connected until the first call.</summary>
    /// <exception cref="ArgumentException">The connection string is missing or not a valid Npgsql connection string.</exception>
    public PostgresMetadataStore(PostgresMetadataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _dataSource = NpgsqlDataSource.Create(ConnectionStringFor(options));
    }

    /// <summary>Creates or migrates the schema; safe when several nodes start at once (see <see cref="PostgresSchema"/>).</summary>
    public Task InitializeAsync(CancellationToken cancellationToken) =>
        RunAsync(PostgresSchema.MigrateAsync, static () => true, cancellationToken);

    /// <remarks>A standby in recovery answers reads but refuses writes, so it counts as unavailable.</remarks>
    public async Task CheckHealthAsync(CancellationToken cancellationToken)
    {
        var inRecovery = await ReadAsync(
            (connection, token) => ScalarAsync<bool>(connection, "SELECT pg_is_in_recovery();", [], token), cancellationToken);
        if (inRecovery)
        {
            throw new StoreUnavailableException(StoreKind.Metadata, "The metadata database is a read-only standby; it cannot be written to.");
        }
    }

    /// <summary>The database server's clock, so every node that shares it agrees on the time.</summary>
    public Task<DateTimeOffset> ReadClockAsync(CancellationToken cancellationToken) =>
        ReadAsync((connection, token) => ScalarAsync<DateTimeOffset>(connection, "SELECT clock_timestamp();", [], token), cancellationToken);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();

    internal static string ConnectionStringFor(PostgresMetadataOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new ArgumentException("The PostgreSQL metadata store needs a connection string.", nameof(options));
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        }
        catch (ArgumentException exception)
        {
            // Not the exception's own message: it may quote the connection string, password and all.
            throw new ArgumentException("The PostgreSQL metadata store's connection string is not valid.", nameof(options), exception);
        }

        builder.Timeout = WholeSeconds(options.ConnectTimeout, nameof(options.ConnectTimeout));
        builder.CommandTimeout = WholeSeconds(options.CommandTimeout, nameof(options.CommandTimeout));
        var keepAlive = WholeSeconds(options.KeepAlive, nameof(options.KeepAlive));
        builder.TcpKeepAlive = keepAlive > 0;
        if (keepAlive > 0)
        {
            builder.TcpKeepAliveTime = keepAlive;
            builder.TcpKeepAliveInterval = Math.Max(1, keepAlive / 5);
        }

        builder.ApplicationName ??= "tessera";
        return builder.ConnectionString;
    }

    private static int WholeSeconds(TimeSpan value, string name) =>
        value >= TimeSpan.Zero && value <= TimeSpan.FromHours(1)
            ? (int)Math.Ceiling(value.TotalSeconds)
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be between zero and one hour.");
}
