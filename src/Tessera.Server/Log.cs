namespace Tessera.Server;

/// <summary>Every log event of the server, with stable event ids. No key and no file content is ever logged.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "No API keys are configured: Tessera runs in OPEN MODE on {Urls} and accepts any bearer token into one default project. Configure Tessera:Projects before exposing it.")]
    public static partial void OpenMode(this ILogger logger, string urls);

    [LoggerMessage(10, LogLevel.Information, "Stored part {PartId} of upload {UploadId}: {Bytes} bytes")]
    public static partial void PartStored(this ILogger logger, string uploadId, string partId, long bytes);

    [LoggerMessage(11, LogLevel.Information, "Completed upload {UploadId} as file {FileId}: {Bytes} bytes")]
    public static partial void UploadCompleted(this ILogger logger, string uploadId, string fileId, long bytes);

    [LoggerMessage(12, LogLevel.Information, "Cancelled upload {UploadId}")]
    public static partial void UploadCancelled(this ILogger logger, string uploadId);

    [LoggerMessage(20, LogLevel.Information, "Created file {FileId}: {Bytes} bytes")]
    public static partial void FileCreated(this ILogger logger, string fileId, long bytes);

    [LoggerMessage(21, LogLevel.Information, "Deleted file {FileId}")]
    public static partial void FileDeleted(this ILogger logger, string fileId);

    [LoggerMessage(30, LogLevel.Information, "Expired {Uploads} uploads and {Files} files")]
    public static partial void Expired(this ILogger logger, int uploads, int files);

    [LoggerMessage(31, LogLevel.Debug, "Deleted {Count} garbage blobs")]
    public static partial void GarbageDeleted(this ILogger logger, int count);

    [LoggerMessage(32, LogLevel.Information, "Reconciled blobs with metadata: deleted {Orphans} orphaned blobs and {Unfinished} unfinished writes")]
    public static partial void Reconciled(this ILogger logger, int orphans, int unfinished);

    [LoggerMessage(35, LogLevel.Error, "Reconciliation found {Count} records whose bytes are missing from the blob store, e.g. blobs {BlobKeys}; /healthz counts them. Restore the blobs from a backup or delete the files that name them")]
    public static partial void RecordsWithoutBlobs(this ILogger logger, int count, string blobKeys);

    [LoggerMessage(33, LogLevel.Error, "A sweep failed; the next one runs as scheduled")]
    public static partial void SweepFailed(this ILogger logger, Exception exception);

    [LoggerMessage(34, LogLevel.Warning, "Could not delete blob {BlobKey}; reconciliation will retry")]
    public static partial void BlobDeleteFailed(this ILogger logger, Exception exception, string blobKey);

    [LoggerMessage(40, LogLevel.Information, "Client went away during {Method} {Path} ({Exception})")]
    public static partial void ClientGone(this ILogger logger, string method, string path, string exception);

    [LoggerMessage(41, LogLevel.Error, "Request {RequestId} failed after its response had started; the connection was aborted")]
    public static partial void FailedAfterResponseStarted(this ILogger logger, Exception exception, string requestId);

    [LoggerMessage(42, LogLevel.Error, "Request {RequestId} ({Method} {Path}) failed unexpectedly")]
    public static partial void UnexpectedError(this ILogger logger, Exception exception, string requestId, string method, string path);

    [LoggerMessage(43, LogLevel.Error, "Request {RequestId} ({Method} {Path}) found that a stored record names blob {BlobKey}, which is missing from the blob store")]
    public static partial void BlobMissing(this ILogger logger, string requestId, string method, string path, string blobKey);

    // Event id 44 is not reused, so that an id keeps one meaning across versions. A store a health check finds
    // unavailable is logged with why by StoreFailedHealthCheck (once per probe), and by ASP.NET Core's health check
    // service (DefaultHealthCheckService, at Error) with the sentence the report shows.

    [LoggerMessage(45, LogLevel.Error, "Health check of the {Store} store failed unexpectedly")]
    public static partial void HealthCheckFailed(this ILogger logger, Exception exception, string store);

    [LoggerMessage(1760, LogLevel.Warning, "The {Store} store failed its health check: {Reason}")]
    public static partial void StoreFailedHealthCheck(this ILogger logger, string store, string reason);

    // Requests refused or cut off: expected conditions, one line each and no stack trace.
    [LoggerMessage(50, LogLevel.Information, "Refused {Method} {Path} with {Status}: {Message} ({RequestId})")]
    public static partial void RequestRefused(this ILogger logger, string method, string path, int status, string message, string requestId);

    [LoggerMessage(51, LogLevel.Information, "Request {RequestId} ({Method} {Path}) sent no body bytes for {Seconds} s: the connection was aborted and nothing of the body was kept")]
    public static partial void BodyStalled(this ILogger logger, string requestId, string method, string path, int seconds);

    [LoggerMessage(52, LogLevel.Warning, "Request {RequestId} ({Method} {Path}) found the storage full and was answered 507: {Reason}")]
    public static partial void StorageFull(this ILogger logger, string requestId, string method, string path, string reason);

    [LoggerMessage(53, LogLevel.Debug, "Read and discarded {Bytes} bytes of the refused body of request {RequestId} before answering")]
    public static partial void RefusedBodyDrained(this ILogger logger, string requestId, long bytes);

    [LoggerMessage(54, LogLevel.Debug, "Left the refused body of request {RequestId} unread ({Reason}): the connection closes after the answer")]
    public static partial void RefusedBodyLeftUnread(this ILogger logger, string requestId, string reason);

    [LoggerMessage(55, LogLevel.Warning, "Request {RequestId} ({Method} {Path}) was answered 503: the {Store} store is unavailable: {Reason}")]
    public static partial void StoreUnavailable(this ILogger logger, string requestId, string method, string path, string store, string reason);

    [LoggerMessage(70, LogLevel.Information, "Data folder {DataPath}, locked by this process ({ProcessId})")]
    public static partial void DataFolderLocked(this ILogger logger, string dataPath, int processId);

    [LoggerMessage(75, LogLevel.Information, "Data folder {DataPath}, shared: it holds only blobs, which other nodes may use too")]
    public static partial void DataFolderShared(this ILogger logger, string dataPath);

    [LoggerMessage(76, LogLevel.Warning, "Could not read the metadata store's clock; keeping the offset of {OffsetMilliseconds} ms: {Reason}")]
    public static partial void StoreClockUnread(this ILogger logger, double offsetMilliseconds, string reason);

    [LoggerMessage(77, LogLevel.Information, "The metadata store's clock is {OffsetMilliseconds} ms ahead of this machine's; the API's time follows the store")]
    public static partial void StoreClockOffset(this ILogger logger, double offsetMilliseconds);

    [LoggerMessage(71, LogLevel.Information, "Shutting down: requests in flight have up to {GraceSeconds} s to finish; a second Ctrl-C (SIGINT or SIGTERM) stops them at once")]
    public static partial void ShuttingDown(this ILogger logger, double graceSeconds);

    [LoggerMessage(72, LogLevel.Warning, "Aborting the requests still in flight ({Reason}); each deletes what it had half written")]
    public static partial void AbortingInFlight(this ILogger logger, string reason);

    [LoggerMessage(73, LogLevel.Information, "Shut down")]
    public static partial void ShutDown(this ILogger logger);

    [LoggerMessage(74, LogLevel.Information, "Request {RequestId} ({Method} {Path}) was cut off by the shutdown ({Exception})")]
    public static partial void CutOffByShutdown(this ILogger logger, string requestId, string method, string path, string exception);

    [LoggerMessage(80, LogLevel.Warning, "Could not read the pending uploads for the metrics ({Exception}: {Reason}); the previous figures stand")]
    public static partial void PendingUploadsUnreadable(this ILogger logger, string exception, string reason);

    [LoggerMessage(81, LogLevel.Information, "Metrics are served at {Where}")]
    public static partial void MetricsServed(this ILogger logger, string where);

    [LoggerMessage(82, LogLevel.Information, "Traces and metrics are sent to the OTLP endpoint {Endpoint}")]
    public static partial void OtlpExporting(this ILogger logger, string endpoint);

    [LoggerMessage(110, LogLevel.Information, "API keys reloaded: {Projects} projects, {Keys} keys")]
    public static partial void KeysReloaded(this ILogger logger, int projects, int keys);

    [LoggerMessage(111, LogLevel.Error, "The reloaded API keys were refused, so the last ones stay in force: {Reason}")]
    public static partial void KeysReloadRefused(this ILogger logger, string reason);

    [LoggerMessage(112, LogLevel.Warning, "The key file {Path} cannot be read, so its last {Keys} keys stay in force: {Reason}")]
    public static partial void KeyFileUnreadable(this ILogger logger, string path, int keys, string reason);

    [LoggerMessage(113, LogLevel.Error, "The reloaded settings are not valid, so the last valid ones stay in force: {Reason}")]
    public static partial void SettingsReloadInvalid(this ILogger logger, string reason);

    // One line per request (Logging/AccessLogMiddleware), short enough to read at a glance; the JSON formatter
    // carries each value as a field.
    [LoggerMessage(1790, LogLevel.Information, "{Method} {Path}{Query} {Status} {DurationMs:0.0} ms {RequestId} {RequestBytes} B in, {ResponseBytes} B out")]
    public static partial void AccessLine(this ILogger logger, string method, string path, string query, int status, double durationMs, string requestId, long requestBytes, long responseBytes);

    // The scrub (Scrubbing/): stored blobs read back against the CRC32C recorded when they were stored. A blob is named
    // by its key and its file's or upload's id, never by a path.
    [LoggerMessage(1801, LogLevel.Error, "Scrub found blob {BlobKey} of {Owner} {OwnerId} damaged: its {Bytes} bytes have CRC32C {Crc32C}, where {RecordedBytes} bytes with CRC32C {RecordedCrc32C} were stored. Restore the blob from a backup, or delete the {Owner}")]
    public static partial void ScrubFoundDamage(this ILogger logger, string blobKey, string owner, string ownerId, long bytes, string crc32C, long recordedBytes, string recordedCrc32C);

    [LoggerMessage(1802, LogLevel.Error, "Scrub found blob {BlobKey} of {Owner} {OwnerId} missing from the blob store. Restore the blob from a backup, or delete the {Owner}")]
    public static partial void ScrubFoundBlobMissing(this ILogger logger, string blobKey, string owner, string ownerId);

    [LoggerMessage(1803, LogLevel.Information, "Scrub round started on this node, reading at most {MaxBytesPerSecond} bytes a second")]
    public static partial void ScrubRoundStarted(this ILogger logger, long maxBytesPerSecond);

    [LoggerMessage(1804, LogLevel.Information, "Scrub round finished in {Seconds:0.0} s: {Checked} blobs checked ({Bytes} bytes), {Damaged} damaged, {Missing} missing, {Unchecked} unchecked (stored before checksums were kept)")]
    public static partial void ScrubRoundFinished(this ILogger logger, double seconds, long @checked, long bytes, long damaged, long missing, long @unchecked);

    [LoggerMessage(1805, LogLevel.Information, "Scrub round skipped: another node holds the scrub lease, so it is scrubbing now")]
    public static partial void ScrubRoundSkipped(this ILogger logger);

    [LoggerMessage(1806, LogLevel.Warning, "Scrub round stopped: this node lost the scrub lease ({Reason}); the next round starts over")]
    public static partial void ScrubLeaseLost(this ILogger logger, string reason);

    [LoggerMessage(1807, LogLevel.Error, "A scrub round failed; the next one runs as scheduled")]
    public static partial void ScrubRoundFailed(this ILogger logger, Exception exception);

    [LoggerMessage(1808, LogLevel.Information, "Stored blobs are scrubbed every {IntervalSeconds} s, by one node of those sharing the metadata store at a time")]
    public static partial void ScrubScheduled(this ILogger logger, int intervalSeconds);

    [LoggerMessage(1701, LogLevel.Warning, "The listening addresses (urls, Kestrel:Endpoints) changed in the settings: addresses are bound at start-up only, so the change takes effect after a restart. Still listening on {Addresses}")]
    public static partial void ListenAddressesNeedRestart(this ILogger logger, string addresses);

    // First contact: what a newcomer reads at start-up.
    [LoggerMessage(1900, LogLevel.Warning, "The settings section {Section} is not one Tessera reads, so every setting under it is ignored; did you mean Tessera? See docs/configuration.md")]
    public static partial void SettingsSectionMisspelled(this ILogger logger, string section);

    [LoggerMessage(1901, LogLevel.Information, "Now listening on: {Address}")]
    public static partial void ListeningOn(this ILogger logger, string address);
}
