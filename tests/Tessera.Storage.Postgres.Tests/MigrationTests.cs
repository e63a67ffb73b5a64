using Tessera.Domain;

namespace Tessera.Storage.Postgres.Tests;

public sealed class MigrationTests
{
    // The schema's migrations: the first, and project_usage for quotas. Changes counted in schema_additions
    // (the checksums) leave it as it is.
    private const int LatestVersion = 4;

    // Changes counted in schema_additions: the checksums, the leases.
    private const int LatestAdditions = 2;

    [Fact]
    public async Task Three_nodes_starting_at_once_on_one_database_create_the_schema_once_and_all_start()
    {
        var engine = await Testing.Engines.PostgresEngine.GetSharedAsync();
        var connectionString = await engine.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        var stores = Enumerable.Range(0, 3).Select(_ => new PostgresMetadataStore(new PostgresMetadataOptions { ConnectionString = connectionString })).ToArray();
        await using var nodes = await Nodes.StartAsync(connectionString, count: 1);
        try
        {
            await Nodes.RaceAsync(stores.Select<PostgresMetadataStore, Func<Task<bool>>>(store => async () =>
            {
                await store.InitializeAsync(TestContext.Current.CancellationToken);
                return true;
            }).ToArray());

            Assert.Equal(1L, await nodes.QueryScalarAsync<long>("SELECT count(*) FROM schema_version;"));
            Assert.Equal(LatestVersion, await nodes.QueryScalarAsync<int>("SELECT version FROM schema_version;"));

            // Each node can use the schema the others raced to create.
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var upload = Nodes.NewUpload(now);
            await stores[0].CreateUploadAsync(upload, TestContext.Current.CancellationToken);
            Assert.NotNull(await stores[2].FindUploadAsync("alpha", upload.Id, TestContext.Current.CancellationToken));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_node_that_starts_on_a_migrated_database_leaves_it_as_it_is()
    {
        await using var nodes = await Nodes.StartAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var upload = Nodes.NewUpload(now);
        await nodes.A.CreateUploadAsync(upload, TestContext.Current.CancellationToken);

        await nodes.B.InitializeAsync(TestContext.Current.CancellationToken);

        Assert.Equal(LatestVersion, await nodes.QueryScalarAsync<int>("SELECT version FROM schema_version;"));
        Assert.NotNull(await nodes.B.FindUploadAsync("alpha", upload.Id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_database_with_a_newer_schema_is_refused_with_a_message_saying_to_upgrade()
    {
        await using var nodes = await Nodes.StartAsync();
        await nodes.QueryScalarAsync<int>("UPDATE schema_version SET version = 99 RETURNING version;");

        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => nodes.B.InitializeAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Upgrade Tessera", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_made_before_quotas_gets_its_usage_computed_from_what_it_holds()
    {
        var token = TestContext.Current.CancellationToken;
        await using var nodes = await Nodes.StartAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var pending = Nodes.NewUpload(now);
        await nodes.A.CreateUploadAsync(pending, token);
        await nodes.A.AddPartAsync(Nodes.NewPart(pending, now, 30), long.MaxValue, now, token);
        var completed = Nodes.NewUpload(now, bytes: 20);
        await nodes.A.CreateUploadAsync(completed, token);
        var listed = Nodes.NewPart(completed, now, 20);
        await nodes.A.AddPartAsync(listed, long.MaxValue, now, token);
        await nodes.A.AddPartAsync(Nodes.NewPart(completed, now, 5), long.MaxValue, now, token);
        var file = new StoredFile { Id = "file-" + Guid.NewGuid().ToString("N"), ProjectId = completed.ProjectId, Filename = "f", Purpose = "assistants", Bytes = 20, CreatedAt = now };
        Assert.True((await nodes.A.CompleteUploadAsync(completed.Id, [listed.Id], file, now, token)).Succeeded);
        var cancelled = Nodes.NewUpload(now);
        await nodes.A.CreateUploadAsync(cancelled, token);
        await nodes.A.AddPartAsync(Nodes.NewPart(cancelled, now, 40), long.MaxValue, now, token);
        Assert.True((await nodes.A.CancelUploadAsync(cancelled.Id, now, token)).Succeeded);
        await nodes.QueryScalarAsync<int>("DROP TABLE project_usage; ALTER TABLE garbage DROP COLUMN bytes; DROP INDEX uploads_pending_by_project; ALTER TABLE uploads DROP COLUMN seq; UPDATE schema_version SET version = 1 RETURNING version;");

        await nodes.B.InitializeAsync(token);

        Assert.Equal(LatestVersion, await nodes.QueryScalarAsync<int>("SELECT version FROM schema_version;"));
        Assert.Equal(new ProjectUsage(30 + 20, 1, 1), await nodes.B.ReadProjectUsageAsync(pending.ProjectId, token));
    }

    [Fact]
    public async Task Checksums_are_added_without_a_new_schema_version_so_nodes_of_the_previous_release_keep_starting_and_writing()
    {
        var token = TestContext.Current.CancellationToken;
        await using var nodes = await Nodes.StartAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var upload = Nodes.NewUpload(now, bytes: 20);
        await nodes.A.CreateUploadAsync(upload, token);

        // The previous release refuses a schema_version above 4; the checksum columns are counted apart.
        Assert.Equal(LatestVersion, await nodes.QueryScalarAsync<int>("SELECT version FROM schema_version;"));
        Assert.Equal(LatestAdditions, await nodes.QueryScalarAsync<int>("SELECT applied FROM schema_additions;"));

        // The previous release's own statements, which name no checksum column, still run: its parts have none.
        await nodes.QueryScalarAsync<int>(
            $"INSERT INTO parts (id, upload_id, bytes, created_at, blob_key, md5) VALUES ('part_old', '{upload.Id}', 20, {now}, 'part_old', NULL) RETURNING 1;");
        var part = Nodes.NewPart(upload, now, 0) with { Crc32C = 7 };
        Assert.Equal(AddPartResult.TooManyBytes, (await nodes.B.AddPartAsync(part with { Bytes = 1 }, 20, now, token)).Result);

        var listed = Assert.Single(await nodes.B.ListPartsAsync(upload.Id, token));
        Assert.Equal("part_old", listed.Id);
        Assert.Null(listed.Crc32C);
    }
}
