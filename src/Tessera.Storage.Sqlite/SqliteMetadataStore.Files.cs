using Microsoft.Data.Sqlite;
using Tessera.Domain;

namespace Tessera.Storage.Sqlite;

public sealed partial class SqliteMetadataStore
{
    private const string FileColumns = "id, project_id, filename, purpose, bytes, created_at, expires_at, crc32c";

    // A file past its expires_at is gone even before the sweeper removes it.
    private const string IsAlive = "(expires_at IS NULL OR expires_at > $now)";

    public Task CreateFileAsync(StoredFile file, FileSegment content, CancellationToken cancellationToken) =>
        CreateFileAsync(file, content, ProjectQuota.Unlimited, cancellationToken);

    public Task<QuotaRefusal?> CreateFileAsync(StoredFile file, FileSegment content, ProjectQuota quota, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction, token) =>
        {
            if (await ChargeUsageAsync(connection, transaction, file.ProjectId, new ProjectUsage(file.Bytes, 1, 0), quota, token) is { } refusal)
            {
                return refusal;
            }

            await InsertFileAsync(connection, transaction, file, token);
            await InsertSegmentAsync(connection, transaction, file.Id, 0, content, token);
            return (QuotaRefusal?)null;
        }, cancellationToken);

    public Task<StoredFile?> FindFileAsync(string projectId, string fileId, long now, CancellationToken cancellationToken) =>
        ReadAsync(async (connection, token) =>
        {
            var rows = await QueryAsync(connection, null,
                $"SELECT {FileColumns} FROM files WHERE id = $id AND project_id = $project AND {IsAlive};",
                [("$id", fileId), ("$project", projectId), ("$now", now)], ReadFile, token);
            return rows.SingleOrDefault();
        }, cancellationToken);

    public Task<IReadOnlyList<FileSegment>> ListFileSegmentsAsync(string fileId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<FileSegment>>(async (connection, token) => await QueryAsync(connection, null,
            "SELECT blob_key, bytes, crc32c FROM file_segments WHERE file_id = $file ORDER BY position;",
            [("$file", fileId)], r => new FileSegment(r.GetString(0), r.GetInt64(1), r.IsDBNull(2) ? null : (uint)r.GetInt64(2)), token), cancellationToken);

    public Task<FilePage?> ListFilesAsync(string projectId, FileListQuery query, long now, CancellationToken cancellationToken) =>
        ReadAsync(async (connection, token) =>
            await KeysetPageAsync(connection, "files", "seq", FileColumns,
                $"project_id = $project AND {IsAlive} AND ($purpose IS NULL OR purpose = $purpose)", $"project_id = $project AND {IsAlive}",
                [("$project", projectId), ("$now", now), ("$purpose", query.Purpose)], query.After, query.Order, query.Limit, ReadFile, token) is { } page
                ? new FilePage(page.Rows, page.HasMore)
                : null, cancellationToken);

    public Task<bool> DeleteFileAsync(string projectId, string fileId, long now, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction, token) => DeleteFileAsync(connection, transaction, projectId, fileId, now, token), cancellationToken);

    private static async Task<bool> DeleteFileAsync(
        SqliteConnection connection, SqliteTransaction transaction, string projectId, string fileId, long now, CancellationToken cancellationToken)
    {
        var deleted = await QueryAsync(connection, transaction,
            $"DELETE FROM files WHERE id = $id AND project_id = $project AND {IsAlive} RETURNING bytes;",
            [("$id", fileId), ("$project", projectId), ("$now", now)], r => r.GetInt64(0), cancellationToken);
        if (deleted.Count == 0)
        {
            return false;
        }

        await AddUsageAsync(connection, transaction, projectId, new ProjectUsage(-deleted[0], -1, 0), cancellationToken);
        await ReleaseRowsAsync(connection, transaction, "file_segments", "file_id = $id", [("$id", fileId)], now, cancellationToken);
        return true;
    }

    private static Task<int> InsertFileAsync(SqliteConnection connection, SqliteTransaction transaction, StoredFile file, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            $"INSERT INTO files ({FileColumns}) VALUES ($id, $project, $filename, $purpose, $bytes, $created, $expires, $crc);",
            [
                ("$id", file.Id), ("$project", file.ProjectId), ("$filename", file.Filename), ("$purpose", file.Purpose),
                ("$bytes", file.Bytes), ("$created", file.CreatedAt), ("$expires", file.ExpiresAt), ("$crc", (long?)file.Crc32C),
            ],
            cancellationToken);

    private static Task<int> InsertSegmentAsync(SqliteConnection connection, SqliteTransaction transaction, string fileId, int position, FileSegment segment, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            "INSERT INTO file_segments (file_id, position, blob_key, bytes, crc32c) VALUES ($file, $position, $blob, $bytes, $crc);",
            [("$file", fileId), ("$position", position), ("$blob", segment.BlobKey), ("$bytes", segment.Bytes), ("$crc", (long?)segment.Crc32C)],
            cancellationToken);

    private static StoredFile ReadFile(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        ProjectId = reader.GetString(1),
        Filename = reader.GetString(2),
        Purpose = reader.GetString(3),
        Bytes = reader.GetInt64(4),
        CreatedAt = reader.GetInt64(5),
        ExpiresAt = reader.IsDBNull(6) ? null : reader.GetInt64(6),
        Crc32C = reader.IsDBNull(7) ? null : (uint)reader.GetInt64(7),
    };
}
