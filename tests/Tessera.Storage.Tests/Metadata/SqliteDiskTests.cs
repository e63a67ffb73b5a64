using Microsoft.Data.Sqlite;
using Tessera.Domain;
using Tessera.Storage.Sqlite;
using Tessera.Storage.Tests.Infrastructure;

namespace Tessera.Storage.Tests.Metadata;

/// <summary>How the SQLite store reports a full disk, which only a real file system can show.</summary>
public sealed class SqliteDiskTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_write_to_a_full_disk_throws_StorageFull_keeps_nothing_and_the_store_recovers_once_there_is_room()
    {
        await using var disk = await SmallDisk.MountAsync(megabytes: 4);
        using var store = new SqliteMetadataStore(Path.Combine(disk.Path, "tessera.db"));
        await store.InitializeAsync(Token);
        var filler = Path.Combine(disk.Path, "filler");
        SmallDisk.Fill(filler);
        // A large row, so the write needs pages the disk has no room for.
        var upload = Upload(filename: new string('a', 256 << 10));

        try
        {
            await Assert.ThrowsAsync<StorageFullException>(() => store.CreateUploadAsync(upload, Token));

            File.Delete(filler);
            var next = Upload(filename: "after.jsonl");
            await store.CreateUploadAsync(next, Token);
            Assert.NotNull(await store.FindUploadAsync(next.ProjectId, next.Id, Token));
            Assert.Null(await store.FindUploadAsync(upload.ProjectId, upload.Id, Token));
            await store.CheckHealthAsync(Token);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }

    private static Upload Upload(string filename) => new()
    {
        Id = new RandomIdGenerator().NewUploadId(),
        ProjectId = "proj_disk",
        Filename = filename,
        Purpose = "assistants",
        Bytes = 100,
        MimeType = "text/jsonl",
        CreatedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ExpiresAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3600,
        Status = UploadStatus.Pending,
    };
}
