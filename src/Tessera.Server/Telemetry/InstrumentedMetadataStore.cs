using Tessera.Domain;
using Tessera.Storage;

namespace Tessera.Server.Telemetry;

/// <summary>
/// The metadata store as configured, with a span and a latency measurement around every call (see
/// <see cref="StoreCall"/>). It also counts parts stored and uploads as they end: the store is where a part is
/// recorded and a transition happens exactly once, whichever request or node wins it, so a retried complete or
/// cancel is not counted twice.
/// </summary>
internal sealed class InstrumentedMetadataStore(IMetadataStore inner, TesseraMetrics metrics) : IMetadataStore, IAsyncDisposable, IDisposable
{
    private const string Store = "metadata";

    public Task InitializeAsync(CancellationToken cancellationToken) =>
        Observe("Initialize", () => inner.InitializeAsync(cancellationToken));

    public Task CheckHealthAsync(CancellationToken cancellationToken) =>
        Observe("CheckHealth", () => inner.CheckHealthAsync(cancellationToken));

    public Task<DateTimeOffset> ReadClockAsync(CancellationToken cancellationToken) =>
        Observe("ReadClock", () => inner.ReadClockAsync(cancellationToken));

    public Task CreateUploadAsync(Upload upload, CancellationToken cancellationToken) =>
        Observe("CreateUpload", () => inner.CreateUploadAsync(upload, cancellationToken));

    public Task<Upload?> FindUploadAsync(string projectId, string uploadId, CancellationToken cancellationToken) =>
        Observe("FindUpload", () => inner.FindUploadAsync(projectId, uploadId, cancellationToken));

    public async Task<AddPartOutcome> AddPartAsync(UploadPart part, long maxStoredBytes, long now, CancellationToken cancellationToken)
    {
        var outcome = await Observe("AddPart", () => inner.AddPartAsync(part, maxStoredBytes, now, cancellationToken));
        if (outcome.Result == AddPartResult.Added)
        {
            metrics.PartStored(part.Bytes);
        }

        return outcome;
    }

    public Task<IReadOnlyList<UploadPart>> ListPartsAsync(string uploadId, CancellationToken cancellationToken) =>
        Observe("ListParts", () => inner.ListPartsAsync(uploadId, cancellationToken));

    public Task<long> SumPartBytesAsync(string uploadId, CancellationToken cancellationToken) =>
        Observe("SumPartBytes", () => inner.SumPartBytesAsync(uploadId, cancellationToken));

    public Task SetPartMd5Async(string partId, string md5, CancellationToken cancellationToken) =>
        Observe("SetPartMd5", () => inner.SetPartMd5Async(partId, md5, cancellationToken));

    public async Task<TransitionOutcome> CompleteUploadAsync(string uploadId, IReadOnlyList<string> partIds, StoredFile file, long now, CancellationToken cancellationToken)
    {
        var outcome = await Observe("CompleteUpload", () => inner.CompleteUploadAsync(uploadId, partIds, file, now, cancellationToken));
        if (outcome.Succeeded)
        {
            metrics.UploadEnded("completed");
        }

        return outcome;
    }

    public async Task<TransitionOutcome> CancelUploadAsync(string uploadId, long now, CancellationToken cancellationToken)
    {
        var outcome = await Observe("CancelUpload", () => inner.CancelUploadAsync(uploadId, now, cancellationToken));
        if (outcome.Succeeded)
        {
            metrics.UploadEnded("cancelled");
        }

        return outcome;
    }

    public Task CreateFileAsync(StoredFile file, FileSegment content, CancellationToken cancellationToken) =>
        Observe("CreateFile", () => inner.CreateFileAsync(file, content, cancellationToken));

    public Task<IReadOnlyList<FileSegment>> ListFileSegmentsAsync(string fileId, CancellationToken cancellationToken) =>
        Observe("ListFileSegments", () => inner.ListFileSegmentsAsync(fileId, cancellationToken));

    public Task<StoredFile?> FindFileAsync(string projectId, string fileId, long now, CancellationToken cancellationToken) =>
        Observe("FindFile", () => inner.FindFileAsync(projectId, fileId, now, cancellationToken));

    public Task<FilePage?> ListFilesAsync(string projectId, FileListQuery query, long now, CancellationToken cancellationToken) =>
        Observe("ListFiles", () => inner.ListFilesAsync(projectId, query, now, cancellationToken));

    public Task<bool> DeleteFileAsync(string projectId, string fileId, long now, CancellationToken cancellationToken) =>
        Observe("DeleteFile", () => inner.DeleteFileAsync(projectId, fileId, now, cancellationToken));

    public async Task<ExpiryOutcome> ExpireOverdueAsync(long now, CancellationToken cancellationToken)
    {
        var outcome = await Observe("ExpireOverdue", () => inner.ExpireOverdueAsync(now, cancellationToken));
        if (outcome.Uploads > 0)
        {
            metrics.UploadEnded("expired", outcome.Uploads);
        }

        return outcome;
    }

    public Task<IReadOnlyList<string>> ListGarbageAsync(int max, CancellationToken cancellationToken) =>
        Observe("ListGarbage", () => inner.ListGarbageAsync(max, cancellationToken));

    public Task ForgetGarbageAsync(IReadOnlyCollection<string> blobKeys, CancellationToken cancellationToken) =>
        Observe("ForgetGarbage", () => inner.ForgetGarbageAsync(blobKeys, cancellationToken));

    public Task<IReadOnlyCollection<string>> ListReferencedBlobKeysAsync(CancellationToken cancellationToken) =>
        Observe("ListReferencedBlobKeys", () => inner.ListReferencedBlobKeysAsync(cancellationToken));

    public Task<bool> IsBlobReferencedAsync(string blobKey, CancellationToken cancellationToken) =>
        Observe("IsBlobReferenced", () => inner.IsBlobReferencedAsync(blobKey, cancellationToken));

    public Task<PendingUploadsSummary> SummarizePendingUploadsAsync(CancellationToken cancellationToken) =>
        Observe("SummarizePendingUploads", () => inner.SummarizePendingUploadsAsync(cancellationToken));

    public ValueTask DisposeAsync() => inner is IAsyncDisposable async ? async.DisposeAsync() : Dispose(inner);

    public void Dispose() => (inner as IDisposable)?.Dispose();

    private Task Observe(string operation, Func<Task> call) =>
        StoreCall.IsObserved(metrics) ? StoreCall.ObserveAsync(metrics, Store, operation, call) : call();

    private Task<T> Observe<T>(string operation, Func<Task<T>> call) =>
        StoreCall.IsObserved(metrics) ? StoreCall.ObserveAsync(metrics, Store, operation, call) : call();

    private static ValueTask Dispose(IMetadataStore store)
    {
        (store as IDisposable)?.Dispose();
        return ValueTask.CompletedTask;
    }
}
