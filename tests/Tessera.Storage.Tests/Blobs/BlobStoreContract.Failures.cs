using Tessera.Storage.Tests.Infrastructure;

namespace Tessera.Storage.Tests.Blobs;

public abstract partial class BlobStoreContract
{
    [Fact]
    public async Task Reading_a_blob_that_was_never_written_throws_BlobNotFound_naming_it()
    {
        var key = NewKey();

        var missing = await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenReadAsync(key, 0, Token));

        Assert.Equal(key, missing.BlobKey);
    }

    [Theory]
    [InlineData(1000, "io")]
    [InlineData(1000, "cancelled")]
    [InlineData(6 << 20, "io")]
    [InlineData(6 << 20, "cancelled")]
    public async Task A_write_whose_source_fails_halfway_throws_the_sources_exception_and_leaves_nothing(int bytesBeforeFailure, string failureKind)
    {
        // What a request body throws when the client goes away or the connection is reset.
        Exception failure = failureKind == "io" ? new IOException("The client went away.") : new OperationCanceledException("The request was aborted.");
        var key = NewKey();

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() =>
            Store.WriteAsync(key, new SourceStream(RandomBytes(bytesBeforeFailure)) { FailAtEnd = failure }, Token));

        Assert.Same(failure, thrown);
        await AssertNothingOfAsync(key);
    }

    [Fact]
    public async Task A_write_cancelled_while_its_source_stalls_throws_OperationCanceled_and_leaves_nothing()
    {
        var key = NewKey();
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var stalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var source = new SourceStream(RandomBytes(5 << 20))
        {
            StallAtEnd = async token =>
            {
                stalled.TrySetResult();
                await Task.Delay(Timeout.Infinite, token);
            },
        };

        var write = Store.WriteAsync(key, source, abandon.Token);
        await stalled.Task.WaitAsync(TimeSpan.FromSeconds(30), Token);
        await abandon.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write);
        await AssertNothingOfAsync(key);
    }

    /// <summary>Not listed, not readable, and not even an unfinished write left for the clean-up to find.</summary>
    private async Task AssertNothingOfAsync(string key)
    {
        Assert.DoesNotContain(key, await ListKeysAsync());
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenReadAsync(key, 0, Token));
        Assert.Equal(0, await Store.DeleteUnfinishedAsync(DateTimeOffset.UtcNow.AddHours(1), Token));
    }
}
