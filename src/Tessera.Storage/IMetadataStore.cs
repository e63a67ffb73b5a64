using Tessera.Domain;

namespace Tessera.Storage;

/// <summary>
/// Uploads, parts and files, with every state transition a single atomic operation: when requests race on one
/// upload, exactly one transition wins, across every node that shares the store. Times are Unix seconds. A store
/// that cannot be reached throws <see cref="StoreUnavailableException"/>; one that has no room, <see cref="StorageFullException"/>.
/// </summary>
public interface IMetadataStore
{
    /// <summary>Creates or migrates the schema. Called once at start-up.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Throws <see cref="StoreUnavailableException"/> when the store cannot be read and written.</summary>
    Task CheckHealthAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The store's own clock. Nodes that share a store take the time that decides expiry from here (through an offset
    /// they refresh), so they agree on it whatever their own clocks say. An embedded store answers the machine's time.
    /// </summary>
    Task<DateTimeOffset> ReadClockAsync(CancellationToken cancellationToken);

    Task CreateUploadAsync(Upload upload, CancellationToken cancellationToken);

    /// <summary>The upload with its stored status, or null when the project has no such upload.</summary>
    Task<Upload?> FindUploadAsync(string projectId, string uploadId, CancellationToken cancellationToken);

    /// <summary>
    /// Records a part whose bytes are already durable, if and only if its upload is still pending at
    /// <paramref name="now"/> and its stored parts stay within <paramref name="maxStoredBytes"/>.
    /// </summary>
    Task<AddPartOutcome> AddPartAsync(UploadPart part, long maxStoredBytes, long now, CancellationToken cancellationToken);

    /// <summary>The upload's parts, oldest first.</summary>
    Task<IReadOnlyList<UploadPart>> ListPartsAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>The bytes held by the upload's stored parts.</summary>
    Task<long> SumPartBytesAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>Records the CRC32C of a part stored before checksums were kept, once computed from its bytes.</summary>
    Task SetPartCrc32CAsync(string partId, uint crc32C, CancellationToken cancellationToken);

    /// <summary>
    /// Creates <paramref name="file"/> from the listed parts and marks the upload completed, if and only if it is still
    /// pending at <paramref name="now"/>. The parts not listed become garbage; the listed ones become the file's segments,
    /// each keeping its CRC32C.
    /// </summary>
    Task<TransitionOutcome> CompleteUploadAsync(string uploadId, IReadOnlyList<string> partIds, StoredFile file, long now, CancellationToken cancellationToken);

    /// <summary>Marks the upload cancelled if it is still pending at <paramref name="now"/>; its parts become garbage.</summary>
    Task<TransitionOutcome> CancelUploadAsync(string uploadId, long now, CancellationToken cancellationToken);

    /// <summary>Creates a file whose bytes are the one blob <paramref name="content"/>.</summary>
    Task CreateFileAsync(StoredFile file, FileSegment content, CancellationToken cancellationToken);

    /// <summary>The blobs whose concatenation is the file's content, in order, each with its recorded CRC32C (if any).</summary>
    Task<IReadOnlyList<FileSegment>> ListFileSegmentsAsync(string fileId, CancellationToken cancellationToken);

    /// <summary>The file, or null when the project has none by that id that is alive at <paramref name="now"/>.</summary>
    Task<StoredFile?> FindFileAsync(string projectId, string fileId, long now, CancellationToken cancellationToken);

    /// <summary>One page of the project's live files. Null when <see cref="FileListQuery.After"/> names no live file of the project.</summary>
    Task<FilePage?> ListFilesAsync(string projectId, FileListQuery query, long now, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the project's uploads still pending at <paramref name="now"/> (not past their expiry), each with the
    /// bytes its stored parts hold. Null when <see cref="UploadListQuery.After"/> names no upload of the project; an
    /// upload that has completed, been cancelled or expired since it was listed still serves as the cursor.
    /// </summary>
    Task<PendingUploadPage?> ListPendingUploadsAsync(string projectId, UploadListQuery query, long now, CancellationToken cancellationToken);

    /// <summary>Deletes the file, whose blobs become garbage; false when the project has no such live file.</summary>
    Task<bool> DeleteFileAsync(string projectId, string fileId, long now, CancellationToken cancellationToken);

    /// <summary>Marks overdue pending uploads expired and removes expired files; their blobs become garbage. Returns how many of each.</summary>
    Task<ExpiryOutcome> ExpireOverdueAsync(long now, CancellationToken cancellationToken);

    /// <summary>Blobs that nothing refers to any more and that may be deleted, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<string>> ListGarbageAsync(int max, CancellationToken cancellationToken);

    /// <summary>Forgets garbage whose blobs were deleted. Returns the bytes those blobs held (0 for any put on the list before sizes were kept).</summary>
    Task<long> ForgetGarbageAsync(IReadOnlyCollection<string> blobKeys, CancellationToken cancellationToken);

    /// <summary>
    /// Every blob that a stored part or a file's content names (garbage excluded), for finding records whose bytes are
    /// missing. A key once listed here stays named until it becomes garbage; it is never named again after that.
    /// </summary>
    Task<IReadOnlyCollection<string>> ListReferencedBlobKeysAsync(CancellationToken cancellationToken);

    /// <summary>Whether a part, a file or the garbage list names the blob.</summary>
    Task<bool> IsBlobReferencedAsync(string blobKey, CancellationToken cancellationToken);

    /// <summary>
    /// How many uploads are pending in the whole store (every project; overdue ones the sweeper has not expired yet
    /// included) and the bytes their stored parts hold. Cheap enough to read every few seconds.
    /// </summary>
    Task<PendingUploadsSummary> SummarizePendingUploadsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// One page of the blobs that files and pending uploads name, in blob key order, starting after
    /// <paramref name="afterBlobKey"/> (from the first when null), at most <paramref name="limit"/>; fewer means the end.
    /// For reading every stored blob back against its recorded CRC32C.
    /// </summary>
    Task<IReadOnlyList<RecordedBlob>> ListRecordedBlobsAsync(string? afterBlobKey, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the lease <paramref name="name"/> for <paramref name="holder"/> until <paramref name="duration"/> from now
    /// by the store's clock, if nobody else holds it unexpired; a holder calling again renews it. False when another
    /// holder has it: across every node that shares the store, one holder at a time.
    /// </summary>
    Task<bool> TryAcquireLeaseAsync(string name, string holder, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Gives the lease up if <paramref name="holder"/> holds it; otherwise does nothing.</summary>
    Task ReleaseLeaseAsync(string name, string holder, CancellationToken cancellationToken);

    // Quotas. Every write above keeps the project's usage in step as if under no quota; these overloads refuse the
    // write instead, atomically with it, when it would pass the quota: two writes racing for a project's last bytes,
    // from one node or several, cannot both have them.

    /// <summary>What the project holds now; <see cref="ProjectUsage.None"/> for a project that never held anything.</summary>
    Task<ProjectUsage> ReadProjectUsageAsync(string projectId, CancellationToken cancellationToken);

    /// <summary>Creates the upload unless one more pending upload would pass <paramref name="quota"/>; null when created.</summary>
    Task<QuotaRefusal?> CreateUploadAsync(Upload upload, ProjectQuota quota, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="AddPartAsync(UploadPart, long, long, CancellationToken)"/>; refused with
    /// <see cref="AddPartResult.TooManyParts"/> when the upload already has <paramref name="maxParts"/> parts (parts racing
    /// on one upload are counted one after the other, so together they never pass it), and with
    /// <see cref="AddPartResult.OverQuota"/> when the part's bytes would pass the upload's project's <paramref name="quota"/>.
    /// </summary>
    Task<AddPartOutcome> AddPartAsync(UploadPart part, long maxStoredBytes, int maxParts, ProjectQuota quota, long now, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="CompleteUploadAsync(string, IReadOnlyList{string}, StoredFile, long, CancellationToken)"/>, and
    /// refused when one more file would pass <paramref name="quota"/>: then nothing changes, the upload stays pending
    /// and <see cref="TransitionOutcome.OverQuota"/> says why.
    /// </summary>
    Task<TransitionOutcome> CompleteUploadAsync(string uploadId, IReadOnlyList<string> partIds, StoredFile file, ProjectQuota quota, long now, CancellationToken cancellationToken);

    /// <summary>Creates the file unless one more file or its bytes would pass <paramref name="quota"/>; null when created.</summary>
    Task<QuotaRefusal?> CreateFileAsync(StoredFile file, FileSegment content, ProjectQuota quota, CancellationToken cancellationToken);
}

public enum AddPartResult
{
    Added,
    NoSuchUpload,
    UploadNotPending,
    TooManyBytes,
    OverQuota,
    TooManyParts,
}

/// <summary>
/// What happened to a part; <see cref="Upload"/> is the upload as it stands when the part was refused, and
/// <see cref="OverQuota"/> the project's quota that refused it.
/// </summary>
public sealed record AddPartOutcome(AddPartResult Result, Upload? Upload = null, long StoredBytes = 0, QuotaRefusal? OverQuota = null);

/// <summary>
/// Whether a transition happened; when it did not, <see cref="Upload"/> is the upload as the winner left it (null when
/// gone), or as it stands when the project's quota refused the transition (<see cref="OverQuota"/>).
/// </summary>
public sealed record TransitionOutcome(bool Succeeded, Upload? Upload, QuotaRefusal? OverQuota = null);

/// <summary>How many uploads one expiry marked expired and how many files it removed.</summary>
public sealed record ExpiryOutcome(int Uploads, int Files)
{
    public int Count => Uploads + Files;
}

/// <summary>The pending uploads of the whole store and the bytes their parts hold.</summary>
public sealed record PendingUploadsSummary(long Uploads, long Bytes);

public enum ListOrder
{
    Descending,
    Ascending,
}

public sealed record FileListQuery(string? Purpose, int Limit, ListOrder Order, string? After);

public sealed record FilePage(IReadOnlyList<StoredFile> Files, bool HasMore);

public sealed record UploadListQuery(int Limit, ListOrder Order, string? After);

/// <summary>A pending upload and the bytes its stored parts hold so far.</summary>
public sealed record PendingUpload(Upload Upload, long ReceivedBytes);

public sealed record PendingUploadPage(IReadOnlyList<PendingUpload> Uploads, bool HasMore);
