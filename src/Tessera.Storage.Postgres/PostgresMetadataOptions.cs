namespace Tessera.Storage.Postgres;

/// <summary>
/// How to reach the PostgreSQL database that the nodes share. The timeouts below replace the same keywords of the
/// connection string: they are short on purpose, so that a database that is down or unreachable is reported as
/// <see cref="StoreUnavailableException"/> within seconds instead of holding requests.
/// </summary>
public sealed class PostgresMetadataOptions
{
    /// <summary>An Npgsql connection string (<c>Host=...;Database=...;Username=...;Password=...</c>). Required.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// How long opening a connection, or waiting for a free one when the pool is exhausted, may take: 5 seconds
    /// unless set (Npgsql's <c>Timeout</c>, whole seconds).
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long one statement may run, waiting for a row lock included: 15 seconds unless set (Npgsql's
    /// <c>Command Timeout</c>, whole seconds). Every statement Tessera sends is small, so only a stuck or
    /// unreachable server comes near it.
    /// </summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// After how long without traffic the operating system probes a connection, so one whose server vanished without
    /// a word (a network partition, a host power cut) is noticed: 10 seconds unless set (Npgsql's
    /// <c>Tcp Keepalive Time</c>, whole seconds; zero turns the probes off).
    /// </summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Why <see cref="ConnectionString"/> cannot be used, or null when it can. The answer never quotes the string,
    /// which holds a password.
    /// </summary>
    public string? DescribeConnectionStringProblem()
    {
        try
        {
            PostgresMetadataStore.ConnectionStringFor(this);
            return null;
        }
        catch (ArgumentException exception)
        {
            return exception.Message.Split(" (Parameter", 2)[0];
        }
    }
}
