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
        Observe("Initialize", (inner, cancellationToken), static state => state.inner.InitializeAsync(state.cancellationToken));

    public Task CheckHealthAsync(CancellationToken cancellationToken) =>
        Observe("CheckHealth", (inner, cancellationToken), static state => state.inner.CheckHealthAsync(state.cancellationToken));

    public Task<DateTimeOffset> ReadClockAsync(CancellationToken cancellationToken) =>
        Observe("ReadClock", (inner, cancellationToken), static state => state.inner.ReadClockAsync(state.cancellationToken));

    public Task CreateUploadAsync(Upload upload, CancellationToken cancellationToken) =>
        Observe("CreateUpload", (inner, upload, cancellationToken), static state => state.inner.CreateUploadAsync(state.upload, state.cancellationToken));

    public Task<Upload?> FindUploadAsync(string projectId, string uploadId, CancellationToken cancellationToken) =>
        Observe("FindUpload", (inner, projectId, uploadId, cancellationToken), static state => state.inner.FindUploadAsync(state.projectId, state.uploadId, state.cancellationToken));

    public async Task<AddPartOutcome> AddPartAsync(UploadPart part, long maxStoredBytes, long now, CancellationToken cancellationToken)
    {
        var outcome = await Observe("AddPart", (inner, part, maxStoredBytes, now, cancellationToken), static state => state.inner.AddPartAsync(state.part, state.maxStoredBytes, state.now, state.cancellationToken));
        if (outcome.Result == AddPartResult.Added)
        {
            metrics.PartStored(part.Bytes);
        }

        return outcome;
    }

    public Task<IReadOnlyList<UploadPart>> ListPartsAsync(string uploadId, CancellationToken cancellationToken) =>
        Observe("ListParts", (inner, uploadId, cancellationToken), static state => state.inner.ListPartsAsync(state.uploadId, state.cancellationToken));

    public Task<long> SumPartBytesAsync(string uploadId, CancellationToken cancellationToken) =>
        Observe("SumPartBytes", (inner, uploadId, cancellationToken), static state => state.inner.SumPartBytesAsync(state.uploadId, state.cancellationToken));

    public Task SetPartCrc32CAsync(string partId, uint crc32C, CancellationToken cancellationToken) =>
        Observe("SetPartCrc32C", (inner, partId, crc32C, cancellationToken), static state => state.inner.SetPartCrc32CAsync(state.partId, state.crc32C, state.cancellationToken));

    public async Task<TransitionOutcome> CompleteUploadAsync(string uploadId, IReadOnlyList<string> partIds, StoredFile file, long now, CancellationToken cancellationToken)
    {
        var outcome = await Observe("CompleteUpload", (inner, uploadId, partIds, file, now, cancellationToken), static state => state.inner.CompleteUploadAsync(state.uploadId, state.partIds, state.file, state.now, state.cancellationToken));
        if (outcome.Succeeded)
        {
            metrics.UploadEnded("completed");
        }

        return outcome;
    }

    public async Task<TransitionOutcome> CancelUploadAsync(string uploadId, long now, CancellationToken cancellationToken)
    {
        var outcome = await Observe("CancelUpload", (inner, uploadId, now, cancellationToken), static state => state.inner.CancelUploadAsync(state.uploadId, state.now, state.cancellationToken));
        if (outcome.Succeeded)
        {
            metrics.UploadEnded("cancelled");
        }

        return outcome;
    }

    public Task CreateFileAsync(StoredFile file, FileSegment content, CancellationToken cancellationToken) =>
        Observe("CreateFile", (inner, file, content, cancellationToken), static state => state.inner.CreateFileAsync(state.file, state.content, state.cancellationToken));

    public Task<IReadOnlyList<FileSegment>> ListFileSegmentsAsync(string fileId, CancellationToken cancellationToken) =>
        Observe("ListFileSegments", (inner, fileId, cancellationToken), static state => state.inner.ListFileSegmentsAsync(state.fileId, state.cancellationToken));

    public Task<StoredFile?> FindFileAsync(string projectId, string fileId, long now, CancellationToken cancellationToken) =>
        Observe("FindFile", (inner, projectId, fileId, now, cancellationToken), static state => state.inner.FindFileAsync(state.projectId, state.fileId, state.now, state.cancellationToken));

    public Task<FilePage?> ListFilesAsync(string projectId, FileListQuery query, long now, CancellationToken cancellationToken) =>
        Observe("ListFiles", (inner, projectId, query, now, cancellationToken), static state => state.inner.ListFilesAsync(state.projectId, state.query, state.now, state.cancellationToken));

    public Task<PendingUploadPage?> ListPendingUploadsAsync(string projectId, UploadListQuery query, long now, CancellationToken cancellationToken) =>
        Observe("ListPendingUploads", (inner, projectId, query, now, cancellationToken), static state => state.inner.ListPendingUploadsAsync(state.projectId, state.query, state.now, state.cancellationToken));

    public Task<bool> DeleteFileAsync(string projectId, string fileId, long now, CancellationToken cancellationToken) =>
        Observe("DeleteFile", (inner, projectId, fileId, now, cancellationToken), static state => state.inner.DeleteFileAsync(state.projectId, state.fileId, state.now, state.cancellationToken));

    public async Task<ExpiryOutcome> ExpireOverdueAsync(long now, CancellationToken cancellationToken)
    {
        var outcome = await Observe("ExpireOverdue", (inner, now, cancellationToken), static state => state.inner.ExpireOverdueAsync(state.now, state.cancellationToken));
        if (outcome.Uploads > 0)
        {
            metrics.UploadEnded("expired", outcome.Uploads);
        }

        return outcome;
    }

    public Task<IReadOnlyList<string>> ListGarbageAsync(int max, CancellationToken cancellationToken) =>
        Observe("ListGarbage", (inner, max, cancellationToken), static state => state.inner.ListGarbageAsync(state.max, state.cancellationToken));

    public Task<long> ForgetGarbageAsync(IReadOnlyCollection<string> blobKeys, CancellationToken cancellationToken) =>
        Observe("ForgetGarbage", (inner, blobKeys, cancellationToken), static state => state.inner.ForgetGarbageAsync(state.blobKeys, state.cancellationToken));

    public Task<IReadOnlyCollection<string>> ListReferencedBlobKeysAsync(CancellationToken cancellationToken) =>
        Observe("ListReferencedBlobKeys", (inner, cancellationToken), static state => state.inner.ListReferencedBlobKeysAsync(state.cancellationToken));

    public Task<bool> IsBlobReferencedAsync(string blobKey, CancellationToken cancellationToken) =>
        Observe("IsBlobReferenced", (inner, blobKey, cancellationToken), static state => state.inner.IsBlobReferencedAsync(state.blobKey, state.cancellationToken));

    public Task<PendingUploadsSummary> SummarizePendingUploadsAsync(CancellationToken cancellationToken) =>
        Observe("SummarizePendingUploads", (inner, cancellationToken), static state => state.inner.SummarizePendingUploadsAsync(state.cancellationToken));

    public Task<IReadOnlyList<RecordedBlob>> ListRecordedBlobsAsync(string? afterBlobKey, int limit, CancellationToken cancellationToken) =>
        Observe("ListRecordedBlobs", (inner, afterBlobKey, limit, cancellationToken), static state => state.inner.ListRecordedBlobsAsync(state.afterBlobKey, state.limit, state.cancellationToken));

    public Task<bool> TryAcquireLeaseAsync(string name, string holder, TimeSpan duration, CancellationToken cancellationToken) =>
        Observe("TryAcquireLease", (inner, name, holder, duration, cancellationToken), static state => state.inner.TryAcquireLeaseAsync(state.name, state.holder, state.duration, state.cancellationToken));

    public Task ReleaseLeaseAsync(string name, string holder, CancellationToken cancellationToken) =>
        Observe("ReleaseLease", (inner, name, holder, cancellationToken), static state => state.inner.ReleaseLeaseAsync(state.name, state.holder, state.cancellationToken));

    public Task<ProjectUsage> ReadProjectUsageAsync(string projectId, CancellationToken cancellationToken) =>
        Observe("ReadProjectUsage", (inner, projectId, cancellationToken), static state => state.inner.ReadProjectUsageAsync(state.projectId, state.cancellationToken));

    public Task<QuotaRefusal?> CreateUploadAsync(Upload upload, ProjectQuota quota, CancellationToken cancellationToken) =>
        Observe("CreateUpload", (inner, upload, quota, cancellationToken), static state => state.inner.CreateUploadAsync(state.upload, state.quota, state.cancellationToken));

    public async Task<AddPartOutcome> AddPartAsync(UploadPart part, long maxStoredBytes, int maxParts, ProjectQuota quota, long now, CancellationToken cancellationToken)
    {
        var outcome = await Observe("AddPart", (inner, part, maxStoredBytes, maxParts, quota, now, cancellationToken),
            static state => state.inner.AddPartAsync(state.part, state.maxStoredBytes, state.maxParts, state.quota, state.now, state.cancellationToken));
        if (outcome.Result == AddPartResult.Added)
        {
            metrics.PartStored(part.Bytes);
        }

        return outcome;
    }

    public async Task<TransitionOutcome> CompleteUploadAsync(string uploadId, IReadOnlyList<string> partIds, StoredFile file, ProjectQuota quota, long now, CancellationToken cancellationToken)
    {
        var outcome = await Observe("CompleteUpload", (inner, uploadId, partIds, file, quota, now, cancellationToken), static state => state.inner.CompleteUploadAsync(state.uploadId, state.partIds, state.file, state.quota, state.now, state.cancellationToken));
        if (outcome.Succeeded)
        {
            metrics.UploadEnded("completed");
        }

        return outcome;
    }

    public Task<QuotaRefusal?> CreateFileAsync(StoredFile file, FileSegment content, ProjectQuota quota, CancellationToken cancellationToken) =>
        Observe("CreateFile", (inner, file, content, quota, cancellationToken), static state => state.inner.CreateFileAsync(state.file, state.content, state.quota, state.cancellationToken));

    public ValueTask DisposeAsync() => inner is IAsyncDisposable async ? async.DisposeAsync() : Dispose(inner);

    public void Dispose() => (inner as IDisposable)?.Dispose();

    // The arguments travel as a value and the calls are static lambdas, so a call costs no allocation while nobody observes.
    private Task Observe<TState>(string operation, TState state, Func<TState, Task> call) =>
        StoreCall.IsObserved(metrics) ? StoreCall.ObserveAsync(metrics, Store, operation, state, call) : call(state);

    private Task<T> Observe<TState, T>(string operation, TState state, Func<TState, Task<T>> call) =>
        StoreCall.IsObserved(metrics) ? StoreCall.ObserveAsync(metrics, Store, operation, state, call) : call(state);

    private static ValueTask Dispose(IMetadataStore store)
    {
        (store as IDisposable)?.Dispose();
        return ValueTask.CompletedTask;
    }
}
