using Tessera.Storage.Tests.Infrastructure;

namespace Tessera.Storage.Tests.Blobs;

public abstract partial class BlobStoreContract
{
    /// <summary>Far more than failing fast takes; it turns a hang into a failure instead of a stuck suite.</summary>
    private static readonly TimeSpan FailFastDeadline = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A store whose backing storage cannot be reached (an object store that is not listening, a folder that cannot
    /// be used). Null when the backend cannot be made unreachable; the test is then skipped.
    /// </summary>
    protected virtual Task<IBlobStore?> CreateUnreachableStoreAsync(CancellationToken cancellationToken) => Task.FromResult<IBlobStore?>(null);

    [Fact]
    public async Task A_store_that_cannot_be_reached_fails_every_call_fast_with_StoreUnavailable_for_blobs()
    {
        var store = await CreateUnreachableStoreAsync(Token);
        if (store is null)
        {
            Assert.Skip("This backend has no way to make its storage unreachable here.");
        }

        var key = NewKey();
        Func<Task>[] calls =
        [
            () => store.CheckHealthAsync(Token),
            () => store.WriteAsync(key, new SourceStream(RandomBytes(1000)), Token),
            () => store.WriteAsync(key, new SourceStream(RandomBytes(5 << 20)), Token),
            () => store.OpenReadAsync(key, 0, Token),
            () => store.DeleteAsync(key, Token),
            () => store.DeleteUnfinishedAsync(DateTimeOffset.UtcNow, Token),
            async () =>
            {
                await foreach (var blob in store.ListAsync(Token))
                {
                    Assert.Fail($"An unreachable store listed {blob.Key}.");
                }
            },
        ];

        for (var i = 0; i < calls.Length; i++)
        {
            var unavailable = await Assert.ThrowsAsync<StoreUnavailableException>(() => calls[i]().WaitAsync(FailFastDeadline, Token));
            Assert.Equal(StoreKind.Blobs, unavailable.Store);
        }
    }
}
