using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>Expiry, freeing bytes, and reconciling the data folder with the metadata (issue item 6).</summary>
public sealed class CleanupTests
{
    private static readonly Dictionary<string, string> QuietSweeper = new() { ["Tessera:Sweeper:IntervalSeconds"] = "3600" };

    [Fact]
    public async Task An_expired_upload_is_swept_and_its_parts_are_freed()
    {
        await using var server = await TesseraTestServer.StartAsync(settings: QuietSweeper);
        using var client = server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(10)).Id();
        var partId = await client.AddPartAsync(uploadId, Api.RandomBytes(5));

        server.Clock.Advance(TimeSpan.FromSeconds(3600));
        await server.Reclaimer.ExpireOverdueAsync(CancellationToken.None);
        await server.Reclaimer.DeleteGarbageAsync(CancellationToken.None);

        Assert.DoesNotContain(partId, await server.StoredBlobKeysAsync());
        var upload = await (await client.GetAsync($"uploads/{uploadId}")).ShouldSucceedAsync();
        Assert.Equal("expired", upload.GetProperty("status").GetString());
        await (await client.PostPartAsync(uploadId, [1])).ShouldFailAsync(HttpStatusCode.BadRequest, "upload_id");
    }

    [Fact]
    public async Task A_file_past_its_expiry_is_gone_at_once_and_its_bytes_are_freed_by_the_sweep()
    {
        await using var server = await TesseraTestServer.StartAsync(settings: QuietSweeper);
        using var client = server.CreateClient();
        var upload = await client.CreateUploadAsync(4, expiresAfter: new { anchor = "created_at", seconds = 3600 });
        var partId = await client.AddPartAsync(upload.Id(), [1, 2, 3, 4]);
        var fileId = (await client.CompleteAsync(upload.Id(), [partId])).GetProperty("file").Id();
        var kept = (await client.UploadFileAsync([9])).Id();

        server.Clock.Advance(TimeSpan.FromSeconds(3600));
        await (await client.GetAsync($"files/{fileId}")).ShouldFailAsync(HttpStatusCode.NotFound, "id");
        await (await client.GetAsync($"files/{fileId}/content")).ShouldFailAsync(HttpStatusCode.NotFound, "id");
        var listing = await (await client.GetAsync("files")).ShouldSucceedAsync();
        Assert.Equal([kept], listing.GetProperty("data").EnumerateArray().Select(f => f.Id()));

        await server.Reclaimer.ExpireOverdueAsync(CancellationToken.None);
        await server.Reclaimer.DeleteGarbageAsync(CancellationToken.None);
        Assert.DoesNotContain(partId, await server.StoredBlobKeysAsync());
        Assert.Equal([9], await client.GetByteArrayAsync($"files/{kept}/content"));
    }

    [Fact]
    public async Task A_file_whose_bytes_vanished_from_the_blob_store_is_reported_by_reconciliation_and_health()
    {
        await using var server = await TesseraTestServer.StartAsync(settings: QuietSweeper);
        using var client = server.CreateClient();
        var intact = (await client.UploadFileAsync(Api.RandomBytes(10))).Id();
        var damaged = (await client.UploadFileAsync(Api.RandomBytes(10))).Id();
        var lostKey = Assert.Single(await server.Metadata.ListFileSegmentsAsync(damaged, CancellationToken.None)).BlobKey;
        await server.Blobs.DeleteAsync(lostKey, CancellationToken.None);

        await server.Reclaimer.ReconcileAsync(CancellationToken.None);

        using var health = new HttpClient { BaseAddress = server.Root };
        var response = await health.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var blobs = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty("blobs");
        Assert.Equal(1, blobs.GetProperty("missing_blobs").GetInt32());
        await (await client.GetAsync($"files/{intact}")).ShouldSucceedAsync();
        await (await client.GetAsync($"files/{damaged}")).ShouldSucceedAsync();
    }

    [Fact]
    [Trait(StorageTraits.Name, StorageTraits.Embedded)]
    public async Task Reconciliation_deletes_old_orphaned_blobs_and_unfinished_writes_and_keeps_everything_referenced()
    {
        await using var server = await TesseraTestServer.StartAsync(settings: QuietSweeper);
        using var client = server.CreateClient();
        var fileContent = Api.RandomBytes(100);
        var fileId = (await client.UploadFileAsync(fileContent)).Id();
        var uploadId = (await client.CreateUploadAsync(10)).Id();
        var pendingPart = await client.AddPartAsync(uploadId, Api.RandomBytes(3));

        var oldOrphan = PlantBlob(server, "part_0123456789abcdef0123456789abcd01", TimeSpan.FromHours(2));
        var youngOrphan = PlantBlob(server, "part_0123456789abcdef0123456789abcd02", TimeSpan.Zero);
        var oldUnfinished = Path.Combine(server.DataPath, "tmp", "part_x.123.tmp");
        await File.WriteAllBytesAsync(oldUnfinished, [1]);
        File.SetLastWriteTimeUtc(oldUnfinished, DateTime.UtcNow.AddHours(-2));
        var oldUnfinishedInShard = Path.Combine(Path.GetDirectoryName(oldOrphan)!, "part_0123456789abcdef0123456789abcd01.456.tmp");
        await File.WriteAllBytesAsync(oldUnfinishedInShard, [1]);
        File.SetLastWriteTimeUtc(oldUnfinishedInShard, DateTime.UtcNow.AddHours(-2));

        await server.Reclaimer.ReconcileAsync(CancellationToken.None);

        Assert.False(File.Exists(oldOrphan));
        Assert.False(File.Exists(oldUnfinished));
        Assert.False(File.Exists(oldUnfinishedInShard), "a small blob's unfinished write sits in its shard");
        Assert.True(File.Exists(youngOrphan), "a blob younger than the grace period may be a part whose row is being written");
        Assert.Contains(pendingPart, await server.StoredBlobKeysAsync());
        Assert.Equal(fileContent, await client.GetByteArrayAsync($"files/{fileId}/content"));
    }

    [Fact]
    [Trait(StorageTraits.Name, StorageTraits.Embedded)]
    public async Task After_a_restart_everything_stored_is_still_there_and_orphans_are_cleaned_up()
    {
        var dataPath = Directory.CreateTempSubdirectory("tessera-restart-").FullName;
        try
        {
            string fileId, uploadId, firstPart;
            var content = Api.RandomBytes(3000);
            await using (var first = await TesseraTestServer.StartAsync(dataPath: dataPath))
            {
                using var client = first.CreateClient();
                fileId = (await client.UploadFileAsync(content)).Id();
                uploadId = (await client.CreateUploadAsync(6)).Id();
                firstPart = await client.AddPartAsync(uploadId, [1, 2, 3]);
            }

            string orphan;
            await using (var second = await TesseraTestServer.StartAsync(dataPath: dataPath))
            {
                orphan = PlantBlob(second, "part_0123456789abcdef0123456789abcd03", TimeSpan.FromHours(2));
                using var client = second.CreateClient();
                Assert.Equal(content, await client.GetByteArrayAsync($"files/{fileId}/content"));
                var secondPart = await client.AddPartAsync(uploadId, [4, 5, 6]);
                var file = (await client.CompleteAsync(uploadId, [firstPart, secondPart])).GetProperty("file");
                Assert.Equal([1, 2, 3, 4, 5, 6], await client.GetByteArrayAsync($"files/{file.Id()}/content"));
            }

            // One server at a time: the data folder is locked by the one that runs.
            await using var third = await TesseraTestServer.StartAsync(dataPath: dataPath);
            for (var i = 0; i < 100 && File.Exists(orphan); i++)
            {
                await Task.Delay(50);
            }

            Assert.False(File.Exists(orphan), "the start-up reconciliation did not delete the orphan");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataPath, recursive: true);
        }
    }

    private static string PlantBlob(TesseraTestServer server, string key, TimeSpan age)
    {
        var folder = Path.Combine(server.DataPath, "blobs", key[^2..]);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, key);
        File.WriteAllBytes(path, [0xEE]);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return path;
    }
}
