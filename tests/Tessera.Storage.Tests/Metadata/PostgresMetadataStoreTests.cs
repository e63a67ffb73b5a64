using System.Net;
using System.Net.Sockets;
using Tessera.Storage.Postgres;
using Tessera.Testing.Engines;

namespace Tessera.Storage.Tests.Metadata;

/// <summary>
/// The metadata contract against PostgreSQL: a new database on the test process's shared cluster per test, and a
/// second store over it with a connection pool of its own, as a second node would have.
/// </summary>
public sealed class PostgresMetadataStoreTests : MetadataStoreContract
{
    private string? _connectionString;

    protected override async Task<IMetadataStore> CreateStoreAsync(CancellationToken cancellationToken)
    {
        var engine = await PostgresEngine.GetSharedAsync();
        _connectionString = await engine.CreateDatabaseAsync(cancellationToken);
        return new PostgresMetadataStore(new PostgresMetadataOptions { ConnectionString = _connectionString });
    }

    protected override Task<IMetadataStore?> OpenSecondStoreAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IMetadataStore?>(new PostgresMetadataStore(new PostgresMetadataOptions { ConnectionString = _connectionString! }));

    /// <summary>A store pointed at a loopback port where nothing listens: every connection is refused at once.</summary>
    protected override Task<IMetadataStore?> CreateUnreachableStoreAsync(CancellationToken cancellationToken)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return Task.FromResult<IMetadataStore?>(new PostgresMetadataStore(new PostgresMetadataOptions
        {
            ConnectionString = $"Host=127.0.0.1;Port={closedPort};Database=tessera;Username=postgres",
            ConnectTimeout = TimeSpan.FromSeconds(2),
        }));
    }
}
