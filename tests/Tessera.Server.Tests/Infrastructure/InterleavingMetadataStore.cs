using Tessera.Domain;
using Tessera.Storage;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// The real metadata store with two seams: <see cref="BeforeListParts"/> runs just before a request reads an upload's
/// parts, <see cref="BeforeListFiles"/> before it reads files, so a test can make another request's transition land at
/// exactly that moment instead of hoping a race does.
/// </summary>
public sealed class InterleavingMetadataStore(IMetadataStore inner) : IMetadataStore
{
    /// <summary>Runs before each <see cref="ListPartsAsync"/>, with the upload id; null runs nothing.</summary>
    public Func<string, Task>? BeforeListParts { get; set; }

    /// <summary>Runs before each <see cref="ListFilesAsync"/>, with the query; null runs nothing.</summary>
    public Func<FileListQuery, Task>? BeforeListFiles { get; set; }

    public IMetadataStore Inner => inner;

    public async Task<IReadOnlyList<UploadPart>> ListPartsAsync(string uploadId, CancellationToken cancellationToken)
    {
        if (BeforeListParts is { } hook)
        {
            await hook(uploadId);
        }

        return await inner.ListPartsAsync(uploadId, cancellationToken);
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public Task CheckHealthAsync(CancellationToken cancellationToken) => inner.CheckHealthAsync(cancellationToken);

    public Task<DateTimeOffset> ReadClockAsync(CancellationToken cancellationToken) => inner.ReadClockAsync(cancellationToken);

    public Task CreateUploadAsync(Upload upload, CancellationToken cancellationToken) => inner.CreateUploadAsync(upload, cancellationToken);

    public Task<Upload?> FindUploadAsync(string projectId, string uploadId, CancellationToken cancellationToken) =>
        inner.FindUploadAsync(projectId, uploadId, cancellationToken);

    public Task<AddPartOutcome> AddPartAsync(UploadPart part, long maxStoredBytes, long now, CancellationToken cancellationToken) =>
        inner.AddPartAsync(part, maxStoredBytes, now, cancellationToken);

    public Task<long> SumPartBytesAsync(string uploadId, CancellationToken cancellationToken) => inner.SumPartBytesAsync(uploadId, cancellationToken);

    public Task SetPartCrc32CAsync(string partId, uint crc32C, CancellationToken cancellationToken) => inner.SetPartCrc32CAsync(partId, crc32C, cancellationToken);

    public Task<TransitionOutcome> CompleteUploadAsync(string uploadId, IReadOnlyList<string> partIds, StoredFile file, long now, CancellationToken cancellationToken) =>
        inner.CompleteUploadAsync(uploadId, partIds, file, now, cancellationToken);

    public Task<TransitionOutcome> CancelUploadAsync(string uploadId, long now, CancellationToken cancellationToken) =>
        inner.CancelUploadAsync(uploadId, now, cancellationToken);

    public Task CreateFileAsync(StoredFile file, FileSegment content, CancellationToken cancellationToken) => inner.CreateFileAsync(file, content, cancellationToken);

    public Task<IReadOnlyList<FileSegment>> ListFileSegmentsAsync(string fileId, CancellationToken cancellationToken) =>
        inner.ListFileSegmentsAsync(fileId, cancellationToken);

    public Task<StoredFile?> FindFileAsync(string projectId, string fileId, long now, CancellationToken cancellationToken) =>
        inner.FindFileAsync(projectId, fileId, now, cancellationToken);

    public async Task<FilePage?> ListFilesAsync(string projectId, FileListQuery query, long now, CancellationToken cancellationToken)
    {
        if (BeforeListFiles is { } hook)
        {
            await hook(query);
        }

        return await inner.ListFilesAsync(projectId, query, now, cancellationToken);
    }

    public Task<PendingUploadPage?> ListPendingUploadsAsync(string projectId, UploadListQuery query, long now, CancellationToken cancellationToken) =>
        inner.ListPendingUploadsAsync(projectId, query, now, cancellationToken);

    public Task<bool> DeleteFileAsync(string projectId, string fileId, long now, CancellationToken cancellationToken) =>
        inner.DeleteFileAsync(projectId, fileId, now, cancellationToken);

    public Task<ExpiryOutcome> ExpireOverdueAsync(long now, CancellationToken cancellationToken) => inner.ExpireOverdueAsync(now, cancellationToken);

    public Task<IReadOnlyList<string>> ListGarbageAsync(int max, CancellationToken cancellationToken) => inner.ListGarbageAsync(max, cancellationToken);

    public Task<long> ForgetGarbageAsync(IReadOnlyCollection<string> blobKeys, CancellationToken cancellationToken) =>
        inner.ForgetGarbageAsync(blobKeys, cancellationToken);

    public Task<IReadOnlyCollection<string>> ListReferencedBlobKeysAsync(CancellationToken cancellationToken) => inner.ListReferencedBlobKeysAsync(cancellationToken);

    public Task<bool> IsBlobReferencedAsync(string blobKey, CancellationToken cancellationToken) => inner.IsBlobReferencedAsync(blobKey, cancellationToken);

    public Task<PendingUploadsSummary> SummarizePendingUploadsAsync(CancellationToken cancellationToken) => inner.SummarizePendingUploadsAsync(cancellationToken);

    public Task<IReadOnlyList<RecordedBlob>> ListRecordedBlobsAsync(string? afterBlobKey, int limit, CancellationToken cancellationToken) =>
        inner.ListRecordedBlobsAsync(afterBlobKey, limit, cancellationToken);

    public Task<bool> TryAcquireLeaseAsync(string name, string holder, TimeSpan duration, CancellationToken cancellationToken) =>
        inner.TryAcquireLeaseAsync(name, holder, duration, cancellationToken);

    public Task ReleaseLeaseAsync(string name, string holder, CancellationToken cancellationToken) => inner.ReleaseLeaseAsync(name, holder, cancellationToken);

    public Task<ProjectUsage> ReadProjectUsageAsync(string projectId, CancellationToken cancellationToken) => inner.ReadProjectUsageAsync(projectId, cancellationToken);

    public Task<QuotaRefusal?> CreateUploadAsync(Upload upload, ProjectQuota quota, CancellationToken cancellationToken) =>
        inner.CreateUploadAsync(upload, quota, cancellationToken);

    public Task<AddPartOutcome> AddPartAsync(UploadPart part, long maxStoredBytes, int maxParts, ProjectQuota quota, long now, CancellationToken cancellationToken) =>
        inner.AddPartAsync(part, maxStoredBytes, maxParts, quota, now, cancellationToken);

    public Task<TransitionOutcome> CompleteUploadAsync(
        string uploadId, IReadOnlyList<string> partIds, StoredFile file, ProjectQuota quota, long now, CancellationToken cancellationToken) =>
        inner.CompleteUploadAsync(uploadId, partIds, file, quota, now, cancellationToken);

    public Task<QuotaRefusal?> CreateFileAsync(StoredFile file, FileSegment content, ProjectQuota quota, CancellationToken cancellationToken) =>
        inner.CreateFileAsync(file, content, quota, cancellationToken);
}
