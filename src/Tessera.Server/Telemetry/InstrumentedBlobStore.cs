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

    public Task<long> WriteAsync(string key, Stream content, CancellationToken cancellationToken) =>
        Observe("Write", () => inner.WriteAsync(key, content, cancellationToken));

    public Task<Stream> OpenReadAsync(string key, long offset, CancellationToken cancellationToken) =>
        Observe("OpenRead", () => inner.OpenReadAsync(key, offset, cancellationToken));

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        Observe("Delete", () => inner.DeleteAsync(key, cancellationToken));

    public IAsyncEnumerable<StoredBlob> ListAsync(CancellationToken cancellationToken) =>
        StoreCall.IsObserved(metrics) ? ObserveListAsync(cancellationToken) : inner.ListAsync(cancellationToken);

    public Task<int> DeleteUnfinishedAsync(DateTimeOffset olderThan, CancellationToken cancellationToken) =>
        Observe("DeleteUnfinished", () => inner.DeleteUnfinishedAsync(olderThan, cancellationToken));

    public Task CheckHealthAsync(CancellationToken cancellationToken) =>
        Observe("CheckHealth", () => inner.CheckHealthAsync(cancellationToken));

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

    private Task Observe(string operation, Func<Task> call) =>
        StoreCall.IsObserved(metrics) ? StoreCall.ObserveAsync(metrics, Store, operation, call) : call();

    private Task<T> Observe<T>(string operation, Func<Task<T>> call) =>
        StoreCall.IsObserved(metrics) ? StoreCall.ObserveAsync(metrics, Store, operation, call) : call();
}
