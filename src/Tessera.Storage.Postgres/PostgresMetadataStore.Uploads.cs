using Npgsql;
using Tessera.Domain;

namespace Tessera.Storage.Postgres;

public sealed partial class PostgresMetadataStore
{
    private const string UploadColumns =
        "id, project_id, filename, purpose, bytes, mime_type, created_at, expires_at, status, file_expires_after_seconds, file_id, completed_part_ids";

    private const string PartColumns = "id, upload_id, bytes, created_at, blob_key, md5, crc32c";

    public Task CreateUploadAsync(Upload upload, CancellationToken cancellationToken) =>
        CreateUploadAsync(upload, ProjectQuota.Unlimited, cancellationToken);

    public Task<QuotaRefusal?> CreateUploadAsync(Upload upload, ProjectQuota quota, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, token) =>
        {
            var change = new ProjectUsage(0, 0, upload.Status == UploadStatus.Pending ? 1 : 0);
            var created = await ExecuteAsync(connection,
                $"""
                WITH charged AS ({ChargeUsage})
                INSERT INTO uploads ({UploadColumns})
                SELECT @id, @project, @filename, @purpose, @bytes, @mime, @created, @expires, @status, @expiresAfter, NULL, NULL FROM charged;
                """,
                [
                    .. ChargeParameters(upload.ProjectId, change, quota),
                    ("id", upload.Id), ("project", upload.ProjectId), ("filename", PostgresText.Encode(upload.Filename)), ("purpose", upload.Purpose),
                    ("bytes", upload.Bytes), ("mime", upload.MimeType), ("created", upload.CreatedAt), ("expires", upload.ExpiresAt),
                    ("status", upload.Status.ToWireName()), ("expiresAfter", upload.FileExpiresAfterSeconds),
                ],
                token);
            return created > 0 ? null : await ExplainRefusalAsync(connection, upload.ProjectId, change, quota, token);
        }, cancellationToken);

    public Task<Upload?> FindUploadAsync(string projectId, string uploadId, CancellationToken cancellationToken) =>
        ReadAsync(async (connection, token) => (await QueryAsync(connection,
            $"SELECT {UploadColumns} FROM uploads WHERE id = @id AND project_id = @project;",
            [("id", uploadId), ("project", projectId)], ReadUpload, token)).SingleOrDefault(), cancellationToken);

    public Task<AddPartOutcome> AddPartAsync(UploadPart part, long maxStoredBytes, long now, CancellationToken cancellationToken) =>
        AddPartAsync(part, maxStoredBytes, int.MaxValue, ProjectQuota.Unlimited, now, cancellationToken);

    /// <remarks>
    /// Holds the upload's row lock while it checks and inserts, so a cancel or complete on another node either ran
    /// before (and the part is refused) or waits until the part is in (and releases it with the others); and parts
    /// racing on one upload are counted and summed one after the other, so together they never pass <paramref name="maxParts"/>
    /// or <paramref name="maxStoredBytes"/>.
    /// The project's usage is charged by the statement that inserts the part, the last before the commit, so the
    /// project's row is locked for as short a time as can be.
    /// </remarks>
    public Task<AddPartOutcome> AddPartAsync(UploadPart part, long maxStoredBytes, int maxParts, ProjectQuota quota, long now, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, token) =>
        {
            var upload = await LockUploadAsync(connection, part.UploadId, token);
            if (upload is null)
            {
                return new AddPartOutcome(AddPartResult.NoSuchUpload);
            }

            if (upload.StatusAt(now) != UploadStatus.Pending)
            {
                return new AddPartOutcome(AddPartResult.UploadNotPending, upload);
            }

            var (count, stored) = (await QueryAsync(connection,
                "SELECT count(*), coalesce(sum(bytes), 0)::bigint FROM parts WHERE upload_id = @upload;",
                [("upload", part.UploadId)], reader => (reader.GetInt64(0), reader.GetInt64(1)), token)).Single();
            if (count >= maxParts)
            {
                return new AddPartOutcome(AddPartResult.TooManyParts, upload, stored);
            }

            if (stored + part.Bytes > maxStoredBytes)
            {
                return new AddPartOutcome(AddPartResult.TooManyBytes, upload, stored);
            }

            var change = new ProjectUsage(part.Bytes, 0, 0);
            var added = await ExecuteAsync(connection,
                $"""
                WITH charged AS ({ChargeUsage})
                INSERT INTO parts ({PartColumns}) SELECT @id, @upload, @bytes, @created, @blob, @md5, @crc FROM charged;
                """,
                [
                    .. ChargeParameters(upload.ProjectId, change, quota),
                    ("id", part.Id), ("upload", part.UploadId), ("bytes", part.Bytes), ("created", part.CreatedAt), ("blob", part.BlobKey), ("md5", part.Md5), ("crc", (long?)part.Crc32C),
                ],
                token);
            return added > 0
                ? new AddPartOutcome(AddPartResult.Added, upload, stored + part.Bytes)
                : new AddPartOutcome(AddPartResult.OverQuota, upload, stored, await ExplainRefusalAsync(connection, upload.ProjectId, change, quota, token));
        }, cancellationToken);

    public Task<IReadOnlyList<UploadPart>> ListPartsAsync(string uploadId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<UploadPart>>(async (connection, token) => await QueryAsync(connection,
            $"SELECT {PartColumns} FROM parts WHERE upload_id = @upload ORDER BY created_at, seq;",
            [("upload", uploadId)], ReadPart, token), cancellationToken);

    public Task<long> SumPartBytesAsync(string uploadId, CancellationToken cancellationToken) =>
        ReadAsync((connection, token) => SumPartBytesAsync(connection, uploadId, token), cancellationToken);

    public Task SetPartCrc32CAsync(string partId, uint crc32C, CancellationToken cancellationToken) =>
        WriteAsync((connection, token) =>
            ExecuteAsync(connection, "UPDATE parts SET crc32c = @crc WHERE id = @id;", [("crc", (long)crc32C), ("id", partId)], token), cancellationToken);

    public Task<TransitionOutcome> CompleteUploadAsync(
        string uploadId, IReadOnlyList<string> partIds, StoredFile file, long now, CancellationToken cancellationToken) =>
        CompleteUploadAsync(uploadId, partIds, file, ProjectQuota.Unlimited, now, cancellationToken);

    public Task<TransitionOutcome> CompleteUploadAsync(
        string uploadId, IReadOnlyList<string> partIds, StoredFile file, ProjectQuota quota, long now, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, token) =>
        {
            var upload = await LockUploadAsync(connection, uploadId, token);
            if (upload is null || upload.StatusAt(now) != UploadStatus.Pending)
            {
                return new TransitionOutcome(false, upload);
            }

            var parts = (await QueryAsync(connection, $"SELECT {PartColumns} FROM parts WHERE upload_id = @upload;",
                [("upload", uploadId)], ReadPart, token)).ToDictionary(p => p.Id, StringComparer.Ordinal);
            // The caller checked part_ids against the parts; a part cannot leave a pending upload, so this holds.
            var segments = partIds.Select(id => parts[id]).ToArray();

            // The parts' bytes become the file's: the usage gains the file and loses the upload and the parts not listed.
            var change = new ProjectUsage(file.Bytes - parts.Values.Sum(p => p.Bytes), 1, -1);
            if (await InsertFileAsync(connection, file, ChargeParameters(upload.ProjectId, change, quota), token) == 0)
            {
                return new TransitionOutcome(false, upload, await ExplainRefusalAsync(connection, upload.ProjectId, change, quota, token));
            }

            await ExecuteAsync(connection,
                """
                INSERT INTO file_segments (file_id, position, blob_key, bytes, crc32c)
                SELECT @file, (segment.ordinality - 1)::integer, segment.blob_key, segment.bytes, segment.crc32c
                FROM unnest(@blobs::text[], @bytes::bigint[], @crcs::bigint[]) WITH ORDINALITY AS segment (blob_key, bytes, crc32c, ordinality);
                """,
                [
                    ("file", file.Id), ("blobs", segments.Select(p => p.BlobKey).ToArray()), ("bytes", segments.Select(p => p.Bytes).ToArray()),
                    ("crcs", segments.Select(p => (long?)p.Crc32C).ToArray()),
                ],
                token);

            // The listed parts' blobs now belong to the file; the others become garbage.
            await ReleaseRowsAsync(connection, "parts",
                "upload_id = @upload AND blob_key NOT IN (SELECT blob_key FROM file_segments WHERE file_id = @file)",
                [("upload", uploadId), ("file", file.Id)], now, token);
            await ExecuteAsync(connection, "DELETE FROM parts WHERE upload_id = @upload;", [("upload", uploadId)], token);
            await ExecuteAsync(connection,
                "UPDATE uploads SET status = 'completed', file_id = @file, completed_part_ids = @partIds WHERE id = @id;",
                [("file", file.Id), ("partIds", partIds.ToArray()), ("id", uploadId)], token);
            return new TransitionOutcome(true, upload with { Status = UploadStatus.Completed, FileId = file.Id, CompletedPartIds = partIds });
        }, cancellationToken);

    public Task<TransitionOutcome> CancelUploadAsync(string uploadId, long now, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, token) =>
        {
            var upload = await LockUploadAsync(connection, uploadId, token);
            if (upload is null || upload.StatusAt(now) != UploadStatus.Pending)
            {
                return new TransitionOutcome(false, upload);
            }

            await ExecuteAsync(connection,
                """
                UPDATE project_usage SET
                    bytes = bytes - (SELECT coalesce(sum(bytes), 0) FROM parts WHERE upload_id = @upload), pending_uploads = pending_uploads - 1
                WHERE project_id = @project;
                """,
                [("upload", uploadId), ("project", upload.ProjectId)], token);
            await ReleaseRowsAsync(connection, "parts", "upload_id = @upload", [("upload", uploadId)], now, token);
            await ExecuteAsync(connection, "UPDATE uploads SET status = 'cancelled' WHERE id = @id;", [("id", uploadId)], token);
            return new TransitionOutcome(true, upload with { Status = UploadStatus.Cancelled });
        }, cancellationToken);

    /// <summary>
    /// Reads the upload and locks its row until the transaction ends: the transitions of one upload, and the parts
    /// added to it, run one at a time whichever node they come from. Each statement after it sees what the
    /// transactions it waited for committed.
    /// </summary>
    private static async Task<Upload?> LockUploadAsync(NpgsqlConnection connection, string uploadId, CancellationToken cancellationToken) =>
        (await QueryAsync(connection, $"SELECT {UploadColumns} FROM uploads WHERE id = @id FOR UPDATE;",
            [("id", uploadId)], ReadUpload, cancellationToken)).SingleOrDefault();

    private static Task<long> SumPartBytesAsync(NpgsqlConnection connection, string uploadId, CancellationToken cancellationToken) =>
        ScalarAsync<long>(connection, "SELECT coalesce(sum(bytes), 0)::bigint FROM parts WHERE upload_id = @upload;",
            [("upload", uploadId)], cancellationToken);

    private static Upload ReadUpload(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        ProjectId = reader.GetString(1),
        Filename = PostgresText.Decode(reader, 2),
        Purpose = reader.GetString(3),
        Bytes = reader.GetInt64(4),
        MimeType = reader.GetString(5),
        CreatedAt = reader.GetInt64(6),
        ExpiresAt = reader.GetInt64(7),
        Status = UploadStatusNames.Parse(reader.GetString(8)),
        FileExpiresAfterSeconds = reader.IsDBNull(9) ? null : reader.GetInt32(9),
        FileId = reader.IsDBNull(10) ? null : reader.GetString(10),
        CompletedPartIds = reader.IsDBNull(11) ? null : reader.GetFieldValue<string[]>(11),
    };

    private static UploadPart ReadPart(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        UploadId = reader.GetString(1),
        Bytes = reader.GetInt64(2),
        CreatedAt = reader.GetInt64(3),
        BlobKey = reader.GetString(4),
        Md5 = reader.IsDBNull(5) ? null : reader.GetString(5),
        Crc32C = reader.IsDBNull(6) ? null : (uint)reader.GetInt64(6),
    };
}
