using System.Diagnostics;
using Npgsql;
using Tessera.Testing.Engines;

namespace Tessera.Storage.Postgres.Tests;

/// <summary>The database stopped, restarted, or holding a lock: calls fail fast with the store's own exception, and recover.</summary>
public sealed class FailureTests
{
    // Generous: the options cap a dead engine's cost at the 5 s connect timeout; this only guards against a hang.
    private static readonly TimeSpan Fast = TimeSpan.FromSeconds(15);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_stopped_database_fails_each_call_within_seconds_and_the_same_store_works_again_after_a_restart()
    {
        await using var engine = await PostgresEngine.StartNewAsync(Token);
        await using var nodes = await Nodes.StartAsync(await engine.CreateDatabaseAsync(Token), count: 1);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var upload = Nodes.NewUpload(now);
        await nodes.A.CreateUploadAsync(upload, Token);

        await engine.StopAsync(Token);

        // The pooled connection the store used is dead now, and nothing listens on the port.
        await AssertUnavailableFastAsync(() => nodes.A.FindUploadAsync("alpha", upload.Id, Token));
        await AssertUnavailableFastAsync(() => nodes.A.CreateUploadAsync(Nodes.NewUpload(now), Token));
        await AssertUnavailableFastAsync(() => nodes.A.CheckHealthAsync(Token));

        await engine.StartAsync(Token);

        await nodes.A.CheckHealthAsync(Token);
        Assert.NotNull(await nodes.A.FindUploadAsync("alpha", upload.Id, Token));
        Assert.True((await nodes.A.CancelUploadAsync(upload.Id, now, Token)).Succeeded);
    }

    [Fact]
    public async Task A_restart_that_no_call_noticed_costs_no_call_once_it_is_over()
    {
        await using var engine = await PostgresEngine.StartNewAsync(Token);
        await using var nodes = await Nodes.StartAsync(await engine.CreateDatabaseAsync(Token), count: 1);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var upload = Nodes.NewUpload(now);
        // Several pooled connections, all of which the restart kills.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => nodes.A.ReadClockAsync(Token)));
        await nodes.A.CreateUploadAsync(upload, Token);

        await engine.RestartAsync(Token);

        await nodes.A.CreateUploadAsync(Nodes.NewUpload(now), Token);
        Assert.NotNull(await nodes.A.FindUploadAsync("alpha", upload.Id, Token));
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => nodes.A.ReadClockAsync(Token)));
    }

    [Fact]
    public async Task A_row_lock_held_past_the_command_timeout_fails_the_call_as_unavailable_and_changes_nothing()
    {
        await using var nodes = await Nodes.StartAsync(count: 1, configure: options => options.CommandTimeout = TimeSpan.FromSeconds(1));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var upload = Nodes.NewUpload(now);
        await nodes.A.CreateUploadAsync(upload, Token);

        await using (await HoldUploadLockAsync(nodes, upload.Id))
        {
            await AssertUnavailableFastAsync(() => nodes.A.CancelUploadAsync(upload.Id, now, Token));
        }

        Assert.Equal(Domain.UploadStatus.Pending, (await nodes.A.FindUploadAsync("alpha", upload.Id, Token))!.Status);
    }

    [Fact]
    public async Task A_caller_that_gives_up_gets_its_own_cancellation_not_a_store_failure()
    {
        await using var nodes = await Nodes.StartAsync(count: 1);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var upload = Nodes.NewUpload(now);
        await nodes.A.CreateUploadAsync(upload, Token);
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Token);

        await using (await HoldUploadLockAsync(nodes, upload.Id))
        {
            giveUp.CancelAfter(TimeSpan.FromMilliseconds(300));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => nodes.A.CancelUploadAsync(upload.Id, now, giveUp.Token));
        }

        Assert.Equal(Domain.UploadStatus.Pending, (await nodes.A.FindUploadAsync("alpha", upload.Id, Token))!.Status);
    }

    [Fact]
    public async Task An_exhausted_pool_fails_the_waiting_call_as_unavailable_after_the_connect_timeout()
    {
        var engine = await PostgresEngine.GetSharedAsync();
        var onePooledConnection = new NpgsqlConnectionStringBuilder(await engine.CreateDatabaseAsync(Token)) { MaxPoolSize = 1 }.ConnectionString;
        await using var nodes = await Nodes.StartAsync(onePooledConnection, count: 1, configure: options => options.ConnectTimeout = TimeSpan.FromSeconds(1));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var upload = Nodes.NewUpload(now);
        await nodes.A.CreateUploadAsync(upload, Token);

        Task blocked;
        await using (await HoldUploadLockAsync(nodes, upload.Id))
        {
            // This cancel waits on the lock and holds the pool's one connection meanwhile.
            blocked = nodes.A.CancelUploadAsync(upload.Id, now, Token);
            await Task.Delay(200, Token);
            await AssertUnavailableFastAsync(() => nodes.A.FindUploadAsync("alpha", upload.Id, Token));
        }

        await blocked;
    }

    private static async Task AssertUnavailableFastAsync(Func<Task> call)
    {
        var clock = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<StoreUnavailableException>(call);
        Assert.True(clock.Elapsed < Fast, $"the call took {clock.Elapsed} to fail");
        Assert.Equal(StoreKind.Metadata, failure.Store);
    }

    /// <summary>Another session that holds the upload's row lock until disposed, as a slow transaction on another node would.</summary>
    private static async Task<RowLock> HoldUploadLockAsync(Nodes nodes, string uploadId)
    {
        var connection = new NpgsqlConnection(nodes.ConnectionString);
        await connection.OpenAsync(Token);
        var transaction = await connection.BeginTransactionAsync(Token);
        await using var command = new NpgsqlCommand("SELECT id FROM uploads WHERE id = @id FOR UPDATE;", connection);
        command.Parameters.AddWithValue("id", uploadId);
        await command.ExecuteScalarAsync(Token);
        return new RowLock(connection, transaction);
    }

    private sealed class RowLock(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
