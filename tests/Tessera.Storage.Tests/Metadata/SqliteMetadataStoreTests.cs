using Tessera.Storage.Sqlite;

namespace Tessera.Storage.Tests.Metadata;

/// <summary>The metadata contract against the embedded SQLite store, a new database file in a folder of its own per test.</summary>
public sealed class SqliteMetadataStoreTests : MetadataStoreContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tessera-sqlite-").FullName;

    protected override Task<IMetadataStore> CreateStoreAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IMetadataStore>(new SqliteMetadataStore(Path.Combine(_folder, "tessera.db")));

    /// <summary>A store whose database file cannot be opened: a folder stands where it should be.</summary>
    protected override Task<IMetadataStore?> CreateUnreachableStoreAsync(CancellationToken cancellationToken)
    {
        var databasePath = Directory.CreateDirectory(Path.Combine(_folder, "unreachable.db")).FullName;
        return Task.FromResult<IMetadataStore?>(new SqliteMetadataStore(databasePath));
    }

    protected override ValueTask DeleteBackingDataAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}
