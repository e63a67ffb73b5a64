using Microsoft.Data.Sqlite;
using Tessera.Domain;
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

    [Fact]
    public async Task A_database_made_before_quotas_gets_its_usage_computed_from_what_it_holds()
    {
        var pending = await CreateUploadAsync(bytes: 100);
        await AddPartAsync(pending, 30);
        var completed = await CreateUploadAsync(bytes: 20);
        var listed = await AddPartAsync(completed, 20);
        await AddPartAsync(completed, 5);
        Assert.True((await Store.CompleteUploadAsync(completed.Id, [listed.Id], NewFile(completed), Now, Token)).Succeeded);
        var cancelled = await CreateUploadAsync();
        await AddPartAsync(cancelled, 40);
        Assert.True((await Store.CancelUploadAsync(cancelled.Id, Now, Token)).Succeeded);
        await CreateFileAsync(NewFile(createdAt: Now));
        await CreateFileAsync(NewFile(createdAt: Now, projectId: OtherProject));
        var databasePath = Path.Combine(_folder, "tessera.db");
        await using (var connection = new SqliteConnection($"Data Source={databasePath}"))
        {
            await connection.OpenAsync(Token);
            await using var rewind = connection.CreateCommand();
            rewind.CommandText = """
                DROP TABLE project_usage; ALTER TABLE garbage DROP COLUMN bytes; DROP INDEX uploads_pending_by_project;
                ALTER TABLE parts DROP COLUMN crc32c; ALTER TABLE files DROP COLUMN crc32c; ALTER TABLE file_segments DROP COLUMN crc32c;
                DROP TABLE leases;
                PRAGMA user_version = 2;
                """;
            await rewind.ExecuteNonQueryAsync(Token);
        }

        using var upgraded = new SqliteMetadataStore(databasePath);
        await upgraded.InitializeAsync(Token);

        Assert.Equal(new ProjectUsage(30 + 20 + 10, 2, 1), await upgraded.ReadProjectUsageAsync(Project, Token));
        Assert.Equal(new ProjectUsage(10, 1, 0), await upgraded.ReadProjectUsageAsync(OtherProject, Token));
    }

    protected override ValueTask DeleteBackingDataAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}
