using System.Diagnostics;
using Tessera.Testing.Engines;

namespace Tessera.Storage.S3.Tests;

/// <summary>The store's engine stops and starts again; each test has an engine of its own.</summary>
public sealed class S3BlobStoreOutageTests : IAsyncLifetime
{
    // Generous: the point is seconds, not the minutes of the SDK's default timeouts and retries.
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(15);

    private S3Engine _engine = null!;
    private S3TestBucket _bucket = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _engine = await S3Engine.StartNewAsync(Token);
        _bucket = await S3TestBucket.CreateAsync(_engine, Token);
    }

    public async ValueTask DisposeAsync()
    {
        _bucket.Dispose();
        await _engine.DisposeAsync();
    }

    [Fact]
    public async Task With_the_engine_stopped_every_operation_fails_promptly_with_StoreUnavailable_and_works_again_after_a_restart()
    {
        await _bucket.Store.WriteAsync("blob_before", new PatternStream(100, seed: 1), Token);
        await _engine.StopAsync(Token);

        await AssertUnavailablePromptlyAsync(() => _bucket.Store.CheckHealthAsync(Token));
        await AssertUnavailablePromptlyAsync(() => _bucket.Store.WriteAsync("blob_small", new PatternStream(100, seed: 1), Token));
        await AssertUnavailablePromptlyAsync(() => _bucket.Store.WriteAsync("blob_large", new PatternStream(12L << 20, seed: 1), Token));
        await AssertUnavailablePromptlyAsync(() => _bucket.Store.OpenReadAsync("blob_before", 0, Token));
        await AssertUnavailablePromptlyAsync(() => _bucket.Store.DeleteAsync("blob_before", Token));
        await AssertUnavailablePromptlyAsync(() => _bucket.Store.DeleteUnfinishedAsync(DateTimeOffset.UtcNow, Token));
        await AssertUnavailablePromptlyAsync(async () => await _bucket.Store.ListAsync(Token).ToListAsync(Token));

        await _engine.StartAsync(Token);

        await _bucket.Store.CheckHealthAsync(Token);
        await _bucket.Store.WriteAsync("blob_after", new PatternStream(12L << 20, seed: 2), Token);
        Assert.Equal(PatternStream.HashOf(12L << 20, seed: 2), await _bucket.HashOfBlobAsync("blob_after", 0, Token));
        Assert.Equal(PatternStream.HashOf(100, seed: 1), await _bucket.HashOfBlobAsync("blob_before", 0, Token));
    }

    [Fact]
    public async Task With_the_engine_hung_operations_fail_with_StoreUnavailable_after_the_request_timeout_and_work_again_once_it_answers()
    {
        var options = _engine.OptionsFor(_bucket.Name, S3TestBucket.Prefix);
        options.RequestTimeout = TimeSpan.FromSeconds(1);
        options.MaxErrorRetry = 1;
        using var store = new S3BlobStore(options);
        // Written with the default timeout: on a loaded machine the engine may take more than the second given below
        // to answer even while it runs, and what is tested is the hung engine.
        await _bucket.Store.WriteAsync("blob_before", new PatternStream(100, seed: 1), Token);
        await _engine.PauseAsync(Token);
        try
        {
            await AssertUnavailablePromptlyAsync(() => store.CheckHealthAsync(Token));
            await AssertUnavailablePromptlyAsync(() => store.WriteAsync("blob_large", new PatternStream(12L << 20, seed: 1), Token));
            await AssertUnavailablePromptlyAsync(() => store.OpenReadAsync("blob_before", 0, Token));
        }
        finally
        {
            await _engine.ResumeAsync(Token);
        }

        await store.CheckHealthAsync(Token);
        Assert.Equal(PatternStream.HashOf(100, seed: 1), await _bucket.HashOfBlobAsync("blob_before", 0, Token));
    }

    [Fact]
    public async Task A_read_slower_than_the_request_timeout_still_reads_the_whole_blob()
    {
        // The timeout bounds waiting for the store to answer, not how long a slow client takes to read the answer.
        var options = _engine.OptionsFor(_bucket.Name, S3TestBucket.Prefix);
        options.RequestTimeout = TimeSpan.FromSeconds(1);
        using var store = new S3BlobStore(options);
        const long length = 12L << 20;
        // Written with the default timeout: what is tested is the slow read, and on a loaded machine the engine may
        // take more than the second given above to take a part.
        await _bucket.Store.WriteAsync("blob_slow", new PatternStream(length, seed: 4), Token);

        await using var stream = await store.OpenReadAsync("blob_slow", 0, Token);
        var buffer = new byte[1 << 20];
        long read = 0;
        var clock = Stopwatch.StartNew();
        int count;
        while ((count = await stream.ReadAsync(buffer, Token)) > 0)
        {
            read += count;
            if (clock.Elapsed < TimeSpan.FromSeconds(3))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), Token);
            }
        }

        Assert.Equal(length, read);
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(2));
    }

    private static async Task AssertUnavailablePromptlyAsync(Func<Task> operation)
    {
        var clock = Stopwatch.StartNew();
        var exception = await Assert.ThrowsAsync<StoreUnavailableException>(operation);
        Assert.Equal(StoreKind.Blobs, exception.Store);
        TestContext.Current.TestOutputHelper?.WriteLine($"unavailable after {clock.Elapsed}: {exception.Message}");
        Assert.True(clock.Elapsed < Prompt, $"It took {clock.Elapsed} to report the store unavailable.");
    }
}
