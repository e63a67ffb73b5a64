using System.Runtime.CompilerServices;
using Tessera.Storage;

namespace Tessera.Server.Telemetry;

/// <summary>
/// The blob store as configured, with a span and a latency measurement around every call (see <see cref="StoreCall"/>).
/// A write's time is the part's whole transfer, since the store reads the request body as it writes.
/// </summary>
internal sealed class InstrumentedBlobStore(IBlobStore inner, TesseraMetrics metrics) : IBlobStore, IAsyncDisposable, IDisposable
{
    private const string Store = "blobs";

    public Task<WrittenBlob> WriteAsync(string key, Stream content, CancellationToken cancellationToken) =>
        Observe("Write", (inner, key, content, cancellationToken), static state => state.inner.WriteAsync(state.key, state.content, state.cancellationToken));

    public Task<Stream> OpenReadAsync(string key, long offset, CancellationToken cancellationToken) =>
        Observe("OpenRead", (inner, key, offset, cancellationToken), static state => state.inner.OpenReadAsync(state.key, state.offset, state.cancellationToken));

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        Observe("Delete", (inner, key, cancellationToken), static state => state.inner.DeleteAsync(state.key, state.cancellationToken));

    public IAsyncEnumerable<StoredBlob> ListAsync(CancellationToken cancellationToken) =>
        StoreCall.IsObserved(metrics) ? ObserveListAsync(cancellationToken) : inner.ListAsync(cancellationToken);

    public Task<int> DeleteUnfinishedAsync(DateTimeOffset olderThan, CancellationToken cancellationToken) =>
        Observe("DeleteUnfinished", (inner, olderThan, cancellationToken), static state => state.inner.DeleteUnfinishedAsync(state.olderThan, state.cancellationToken));

    public Task CheckHealthAsync(CancellationToken cancellationToken) =>
        Observe("CheckHealth", (inner, cancellationToken), static state => state.inner.CheckHealthAsync(state.cancellationToken));

    public ValueTask DisposeAsync()
    {
        if (inner is IAsyncDisposable async)
        {
            return async.DisposeAsync();
        }

        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();

    /// <summary>The whole listing is one call: its span lasts until the caller has read the last blob.</summary>
    private async IAsyncEnumerable<StoredBlob> ObserveListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var call = StoreCall.Start(metrics, Store, "List");
        try
        {
            await foreach (var blob in inner.ListAsync(cancellationToken).WithCancellation(cancellationToken))
            {
                yield return blob;
            }
        }
        finally
        {
            call.End(null);
        }
    }

    // The arguments travel as a value and the calls are static lambdas, so a call costs no allocation while nobody observes.
    private Task Observe<TState>(string operation, TState state, Func<TState, Task> call) =>
        StoreCall.IsObserved(metrics) ? StoreCall.ObserveAsync(metrics, Store, operation, state, call) : call(state);

    private Task<T> Observe<TState, T>(string operation, TState state, Func<TState, Task<T>> call) =>
        StoreCall.IsObserved(metrics) ? StoreCall.ObserveAsync(metrics, Store, operation, state, call) : call(state);
}
