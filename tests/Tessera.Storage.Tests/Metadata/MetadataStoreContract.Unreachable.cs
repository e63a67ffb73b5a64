namespace Tessera.Storage.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    /// <summary>Far more than failing fast takes; it turns a hang into a failure instead of a stuck suite.</summary>
    private static readonly TimeSpan FailFastDeadline = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A store whose engine cannot be reached (a server that is not listening, a database file that cannot be opened),
    /// not initialized. Null when the backend cannot be made unreachable; the test is then skipped.
    /// </summary>
    protected virtual Task<IMetadataStore?> CreateUnreachableStoreAsync(CancellationToken cancellationToken) => Task.FromResult<IMetadataStore?>(null);

    [Fact]
    public async Task A_store_that_cannot_be_reached_fails_every_call_fast_with_StoreUnavailable_for_metadata()
    {
        var store = await CreateUnreachableStoreAsync(Token);
        if (store is null)
        {
            Assert.Skip("This backend has no way to make its engine unreachable here.");
        }

        _opened.Add(store);
        var upload = NewUpload();
        Func<Task>[] calls =
        [
            () => store.InitializeAsync(Token),
            () => store.CheckHealthAsync(Token),
            () => store.CreateUploadAsync(upload, Token),
            () => store.FindUploadAsync(Project, upload.Id, Token),
            () => store.AddPartAsync(NewPart(upload, 10), 100, Now, Token),
            () => store.CancelUploadAsync(upload.Id, Now, Token),
            () => store.ListFilesAsync(Project, new FileListQuery(null, 10, ListOrder.Descending, null), Now, Token),
            () => store.ExpireOverdueAsync(Now, Token),
            () => store.ListGarbageAsync(10, Token),
            () => store.IsBlobReferencedAsync(upload.Id, Token),
        ];

        for (var i = 0; i < calls.Length; i++)
        {
            var unavailable = await Assert.ThrowsAsync<StoreUnavailableException>(() => calls[i]().WaitAsync(FailFastDeadline, Token));
            Assert.Equal(StoreKind.Metadata, unavailable.Store);
        }
    }
}
