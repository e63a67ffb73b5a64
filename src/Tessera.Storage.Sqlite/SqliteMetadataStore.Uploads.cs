using System.Text.Json;
using Microsoft.Data.Sqlite;
using Tessera.Domain;

namespace Tessera.Storage.Sqlite;

public sealed partial class SqliteMetadataStore
{
    private const string PartColumns = "id, upload_id, bytes, created_at, blob_key, md5, crc32c";

    private const string UploadColumns =
        "id, project_id, filename, purpose, bytes, mime_type, created_at, expires_at, status, file_expires_after_seconds, file_id, completed_part_ids";

    public Task CreateUploadAsync(Upload upload, CancellationToken cancellationToken) =>
        CreateUploadAsync(upload, ProjectQuota.Unlimited, cancellationToken);

    public Task<QuotaRefusal?> CreateUploadAsync(Upload upload, ProjectQuota quota, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction, token) =>
        {
            if (await ChargeUsageAsync(connection, transaction, upload.ProjectId, new ProjectUsage(0, 0, upload.Status == UploadStatus.Pending ? 1 : 0), quota, token) is { } refusal)
            {
                return refusal;
            }

            await ExecuteAsync(connection, transaction,
                $"INSERT INTO uploads ({UploadColumns}) VALUES ($id, $project, $filename, $purpose, $bytes, $mime, $created, $expires, $status, $expiresAfter, NULL, NULL);",
                [
                    ("$id", upload.Id), ("$project", upload.ProjectId), ("$filename", upload.Filename), ("$purpose", upload.Purpose),
                    ("$bytes", upload.Bytes), ("$mime", upload.MimeType), ("$created", upload.CreatedAt), ("$expires", upload.ExpiresAt),
                    ("$status", upload.Status.ToWireName()), ("$expiresAfter", upload.FileExpiresAfterSeconds),
                ],
                token);
            return (QuotaRefusal?)null;
        }, cancellationToken);

    public Task<Upload?> FindUploadAsync(string projectId, string uploadId, CancellationToken cancellationToken) =>
        ReadAsync(async (connection, token) =>
        {
            var rows = await QueryAsync(connection, null,
                $"SELECT {UploadColumns} FROM uploads WHERE id = $id AND project_id = $project;",
                [("$id", uploadId), ("$project", projectId)], ReadUpload, token);
            return rows.SingleOrDefault();
        }, cancellationToken);

    public Task<AddPartOutcome> AddPartAsync(UploadPart part, long maxStoredBytes, long now, CancellationToken cancellationToken) =>
        AddPartAsync(part, maxStoredBytes, int.MaxValue, ProjectQuota.Unlimited, now, cancellationToken);

    public Task<AddPartOutcome> AddPartAsync(UploadPart part, long maxStoredBytes, int maxParts, ProjectQuota quota, long now, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction, token) => AddPartAsync(connection, transaction, part, maxStoredBytes, maxParts, quota, now, token), cancellationToken);

    private static async Task<AddPartOutcome> AddPartAsync(
        SqliteConnection connection, SqliteTransaction transaction, UploadPart part, long maxStoredBytes, int maxParts, ProjectQuota quota, long now,
        CancellationToken cancellationToken)
    {
        var upload = await FindUploadByIdAsync(connection, transaction, part.UploadId, cancellationToken);
        if (upload is null)
        {
            return new AddPartOutcome(AddPartResult.NoSuchUpload);
        }

        if (upload.StatusAt(now) != UploadStatus.Pending)
        {
            return new AddPartOutcome(AddPartResult.UploadNotPending, upload);
        }

        // One writer at a time: the count and the sum cannot change before this part is in.
        var (count, stored) = (await QueryAsync(connection, transaction,
            "SELECT count(*), coalesce(sum(bytes), 0) FROM parts WHERE upload_id = $upload;", [("$upload", part.UploadId)],
            reader => (reader.GetInt64(0), reader.GetInt64(1)), cancellationToken)).Single();
        if (count >= maxParts)
        {
            return new AddPartOutcome(AddPartResult.TooManyParts, upload, stored);
        }

        if (stored + part.Bytes > maxStoredBytes)
        {
            return new AddPartOutcome(AddPartResult.TooManyBytes, upload, stored);
        }

        if (await ChargeUsageAsync(connection, transaction, upload.ProjectId, new ProjectUsage(part.Bytes, 0, 0), quota, cancellationToken) is { } refusal)
        {
            return new AddPartOutcome(AddPartResult.OverQuota, upload, stored, refusal);
        }

        await ExecuteAsync(connection, transaction,
            $"INSERT INTO parts ({PartColumns}) VALUES ($id, $upload, $bytes, $created, $blob, $md5, $crc);",
            [("$id", part.Id), ("$upload", part.UploadId), ("$bytes", part.Bytes), ("$created", part.CreatedAt), ("$blob", part.BlobKey), ("$md5", part.Md5), ("$crc", (long?)part.Crc32C)],
            cancellationToken);
        return new AddPartOutcome(AddPartResult.Added, upload, stored + part.Bytes);
    }

    public Task<IReadOnlyList<UploadPart>> ListPartsAsync(string uploadId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<UploadPart>>(async (connection, token) => await QueryAsync(connection, null,
            $"SELECT {PartColumns} FROM parts WHERE upload_id = $upload ORDER BY created_at, rowid;",
            [("$upload", uploadId)], ReadPart, token), cancellationToken);

    public Task<long> SumPartBytesAsync(string uploadId, CancellationToken cancellationToken) =>
        ReadAsync(async (connection, token) => await ScalarAsync(connection, null,
            "SELECT coalesce(sum(bytes), 0) FROM parts WHERE upload_id = $upload;", [("$upload", uploadId)], token), cancellationToken);

    public Task SetPartCrc32CAsync(string partId, uint crc32C, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction, token) =>
            ExecuteAsync(connection, transaction, "UPDATE parts SET crc32c = $crc WHERE id = $id;", [("$crc", (long)crc32C), ("$id", partId)], token), cancellationToken);

    public Task<TransitionOutcome> CompleteUploadAsync(string uploadId, IReadOnlyList<string> partIds, StoredFile file, long now, CancellationToken cancellationToken) =>
        CompleteUploadAsync(uploadId, partIds, file, ProjectQuota.Unlimited, now, cancellationToken);

    public Task<TransitionOutcome> CompleteUploadAsync(
        string uploadId, IReadOnlyList<string> partIds, StoredFile file, ProjectQuota quota, long now, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction, token) => CompleteUploadAsync(connection, transaction, uploadId, partIds, file, quota, now, token), cancellationToken);

    private static async Task<TransitionOutcome> CompleteUploadAsync(
        SqliteConnection connection, SqliteTransaction transaction, string uploadId, IReadOnlyList<string> partIds, StoredFile file, ProjectQuota quota, long now,
        CancellationToken cancellationToken)
    {
        var upload = await FindUploadByIdAsync(connection, transaction, uploadId, cancellationToken);
        if (upload is null || upload.StatusAt(now) != UploadStatus.Pending)
        {
            return new TransitionOutcome(false, upload);
        }

        var parts = (await QueryAsync(connection, transaction,
            $"SELECT {PartColumns} FROM parts WHERE upload_id = $upload;",
            [("$upload", uploadId)], ReadPart, cancellationToken)).ToDictionary(p => p.Id, StringComparer.Ordinal);

        // The parts' bytes become the file's: the usage gains the file and loses the upload and the parts not listed.
        var change = new ProjectUsage(file.Bytes - parts.Values.Sum(p => p.Bytes), 1, -1);
        if (await ChargeUsageAsync(connection, transaction, upload.ProjectId, change, quota, cancellationToken) is { } refusal)
        {
            return new TransitionOutcome(false, upload, refusal);
        }

        await InsertFileAsync(connection, transaction, file, cancellationToken);
        for (var position = 0; position < partIds.Count; position++)
        {
            // The caller checked part_ids against the parts; a part cannot leave a pending upload, so this holds.
            var part = parts[partIds[position]];
            await InsertSegmentAsync(connection, transaction, file.Id, position, new FileSegment(part.BlobKey, part.Bytes, part.Crc32C), cancellationToken);
        }

        // The listed parts' blobs now belong to the file; the others become garbage.
        await ReleaseRowsAsync(connection, transaction, "parts",
            "upload_id = $upload AND blob_key NOT IN (SELECT blob_key FROM file_segments WHERE file_id = $file)",
            [("$upload", uploadId), ("$file", file.Id)], now, cancellationToken);
        await ExecuteAsync(connection, transaction, "DELETE FROM parts WHERE upload_id = $upload;", [("$upload", uploadId)], cancellationToken);
        await ExecuteAsync(connection, transaction,
            "UPDATE uploads SET status = 'completed', file_id = $file, completed_part_ids = $partIds WHERE id = $id;",
            [("$file", file.Id), ("$partIds", JsonSerializer.Serialize(partIds)), ("$id", uploadId)], cancellationToken);
        return new TransitionOutcome(true, upload with { Status = UploadStatus.Completed, FileId = file.Id, CompletedPartIds = partIds });
    }

    public Task<TransitionOutcome> CancelUploadAsync(string uploadId, long now, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction, token) => CancelUploadAsync(connection, transaction, uploadId, now, token), cancellationToken);

    private static async Task<TransitionOutcome> CancelUploadAsync(SqliteConnection connection, SqliteTransaction transaction, string uploadId, long now, CancellationToken cancellationToken)
    {
        var upload = await FindUploadByIdAsync(connection, transaction, uploadId, cancellationToken);
        if (upload is null || upload.StatusAt(now) != UploadStatus.Pending)
        {
            return new TransitionOutcome(false, upload);
        }

        var freed = await ScalarAsync(connection, transaction,
            "SELECT coalesce(sum(bytes), 0) FROM parts WHERE upload_id = $upload;", [("$upload", uploadId)], cancellationToken);
        await AddUsageAsync(connection, transaction, upload.ProjectId, new ProjectUsage(-freed, 0, -1), cancellationToken);
        await ReleaseRowsAsync(connection, transaction, "parts", "upload_id = $upload", [("$upload", uploadId)], now, cancellationToken);
        await ExecuteAsync(connection, transaction, "UPDATE uploads SET status = 'cancelled' WHERE id = $id;", [("$id", uploadId)], cancellationToken);
        return new TransitionOutcome(true, upload with { Status = UploadStatus.Cancelled });
    }

    private static async Task<Upload?> FindUploadByIdAsync(SqliteConnection connection, SqliteTransaction transaction, string uploadId, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(connection, transaction, $"SELECT {UploadColumns} FROM uploads WHERE id = $id;",
            [("$id", uploadId)], ReadUpload, cancellationToken);
        return rows.SingleOrDefault();
    }

    private static Upload ReadUpload(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        ProjectId = reader.GetString(1),
        Filename = reader.GetString(2),
        Purpose = reader.GetString(3),
        Bytes = reader.GetInt64(4),
        MimeType = reader.GetString(5),
        CreatedAt = reader.GetInt64(6),
        ExpiresAt = reader.GetInt64(7),
        Status = UploadStatusNames.Parse(reader.GetString(8)),
        FileExpiresAfterSeconds = reader.IsDBNull(9) ? null : reader.GetInt32(9),
        FileId = reader.IsDBNull(10) ? null : reader.GetString(10),
        CompletedPartIds = reader.IsDBNull(11) ? null : JsonSerializer.Deserialize<string[]>(reader.GetString(11)),
    };

    private static UploadPart ReadPart(SqliteDataReader reader) => new()
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
