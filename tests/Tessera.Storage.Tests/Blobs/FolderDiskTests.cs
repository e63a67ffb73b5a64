using Tessera.Storage.FileSystem;
using Tessera.Storage.Tests.Infrastructure;

namespace Tessera.Storage.Tests.Blobs;

/// <summary>How the folder store reports its own disk's failures, which only a real folder can show.</summary>
public sealed class FolderDiskTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(16 << 20)]
    [InlineData(1000)]
    public async Task A_write_to_a_full_disk_throws_StorageFull_leaves_nothing_and_the_store_recovers_once_there_is_room(int bytes)
    {
        await using var disk = await SmallDisk.MountAsync(megabytes: 8);
        var store = new FileSystemBlobStore(Path.Combine(disk.Path, "data"));
        var filler = Path.Combine(disk.Path, "filler");
        if (bytes < FileSystemBlobStore.WriteBufferBytes)
        {
            // A small blob fits the empty disk, so the disk is filled first.
            SmallDisk.Fill(filler);
        }

        var key = "part_" + Guid.NewGuid().ToString("N");
        await Assert.ThrowsAsync<StorageFullException>(() => store.WriteAsync(key, new MemoryStream(new byte[bytes]), Token));

        Assert.Empty(Directory.EnumerateFiles(store.RootPath, "*", SearchOption.AllDirectories));
        var unavailable = await Assert.ThrowsAsync<StoreUnavailableException>(() => FillThenCheckHealthAsync(store, filler));
        Assert.Equal(StoreKind.Blobs, unavailable.Store);

        File.Delete(filler);
        await store.CheckHealthAsync(Token);
        Assert.Equal(1000, (await store.WriteAsync(key, new MemoryStream(new byte[1000]), Token)).Bytes);
    }

    [Fact]
    public async Task A_health_check_of_a_folder_that_cannot_be_written_throws_StoreUnavailable_for_blobs()
    {
        var root = Directory.CreateTempSubdirectory("tessera-blobs-").FullName;
        try
        {
            var store = new FileSystemBlobStore(root);
            // Where the store writes its probe there is now a file, not a folder: a broken data folder, even for root.
            Directory.Delete(Path.Combine(root, "tmp"));
            await File.WriteAllTextAsync(Path.Combine(root, "tmp"), "not a folder", Token);

            var unavailable = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.CheckHealthAsync(Token));

            Assert.Equal(StoreKind.Blobs, unavailable.Store);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_write_the_folder_cannot_take_throws_StoreUnavailable_for_blobs_and_leaves_nothing()
    {
        var root = Directory.CreateTempSubdirectory("tessera-blobs-").FullName;
        try
        {
            var store = new FileSystemBlobStore(root);
            var key = "part_" + Guid.NewGuid().ToString("N");
            // The blob's shard folder cannot be made: a file holds its name.
            await File.WriteAllTextAsync(Path.Combine(root, "blobs", key[^2..]), "not a folder", Token);

            var unavailable = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.WriteAsync(key, new MemoryStream(new byte[100]), Token));

            Assert.Equal(StoreKind.Blobs, unavailable.Store);
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(root, "tmp")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Cleaning_up_deletes_writes_a_crash_left_behind_before_the_cutoff_only()
    {
        var root = Directory.CreateTempSubdirectory("tessera-blobs-").FullName;
        try
        {
            var store = new FileSystemBlobStore(root);
            var finished = "part_" + Guid.NewGuid().ToString("N");
            await store.WriteAsync(finished, new MemoryStream(new byte[10]), Token);
            var cutoff = DateTimeOffset.UtcNow.AddMinutes(-10);
            // What a crash leaves: a large write under tmp/, a small one beside its final name, and one still going.
            var largeLeftover = await LeftoverAsync(Path.Combine(root, "tmp"), cutoff.AddMinutes(-1));
            var smallLeftover = await LeftoverAsync(Path.Combine(root, "blobs", finished[^2..]), cutoff.AddMinutes(-1));
            var recent = await LeftoverAsync(Path.Combine(root, "tmp"), cutoff.AddMinutes(1));

            Assert.Equal(2, await store.DeleteUnfinishedAsync(cutoff, Token));

            Assert.False(File.Exists(largeLeftover));
            Assert.False(File.Exists(smallLeftover));
            Assert.True(File.Exists(recent));
            await using var read = await store.OpenReadAsync(finished, 0, Token);
            Assert.Equal(10, read.Length);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<string> LeftoverAsync(string folder, DateTimeOffset lastWritten)
    {
        var path = Path.Combine(folder, $"part_{Guid.NewGuid():N}.{Guid.NewGuid():N}.tmp");
        await File.WriteAllBytesAsync(path, new byte[100], Token);
        File.SetLastWriteTimeUtc(path, lastWritten.UtcDateTime);
        return path;
    }

    /// <summary>Fills the disk (if the failed write did not), then asks for the store's health.</summary>
    private static Task FillThenCheckHealthAsync(FileSystemBlobStore store, string filler)
    {
        if (!File.Exists(filler))
        {
            SmallDisk.Fill(filler);
        }

        return store.CheckHealthAsync(Token);
    }
}
