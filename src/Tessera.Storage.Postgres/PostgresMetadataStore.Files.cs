using Npgsql;
using Tessera.Domain;

namespace Tessera.Storage.Postgres;

public sealed partial class PostgresMetadataStore
{
    private const string FileColumns = "id, project_id, filename, purpose, bytes, created_at, expires_at, crc32c";

    // A file past its expires_at is gone even before the sweeper removes it.
    private const string IsAlive = "(expires_at IS NULL OR expires_at > @now)";

    public Task CreateFileAsync(StoredFile file, FileSegment content, CancellationToken cancellationToken) =>
        CreateFileAsync(file, content, ProjectQuota.Unlimited, cancellationToken);

    public Task<QuotaRefusal?> CreateFileAsync(StoredFile file, FileSegment content, ProjectQuota quota, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, token) =>
        {
            var change = new ProjectUsage(file.Bytes, 1, 0);
            if (await InsertFileAsync(connection, file, ChargeParameters(file.ProjectId, change, quota), token) == 0)
            {
                return await ExplainRefusalAsync(connection, file.ProjectId, change, quota, token);
            }

            await ExecuteAsync(connection,
                "INSERT INTO file_segments (file_id, position, blob_key, bytes, crc32c) VALUES (@file, 0, @blob, @bytes, @crc);",
                [("file", file.Id), ("blob", content.BlobKey), ("bytes", content.Bytes), ("crc", (long?)content.Crc32C)], token);
            return (QuotaRefusal?)null;
        }, cancellationToken);

    public Task<StoredFile?> FindFileAsync(string projectId, string fileId, long now, CancellationToken cancellationToken) =>
        ReadAsync(async (connection, token) => (await QueryAsync(connection,
            $"SELECT {FileColumns} FROM files WHERE id = @id AND project_id = @project AND {IsAlive};",
            [("id", fileId), ("project", projectId), ("now", now)], ReadFile, token)).SingleOrDefault(), cancellationToken);

    public Task<IReadOnlyList<FileSegment>> ListFileSegmentsAsync(string fileId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<FileSegment>>(async (connection, token) => await QueryAsync(connection,
            "SELECT blob_key, bytes, crc32c FROM file_segments WHERE file_id = @file ORDER BY position;",
            [("file", fileId)], r => new FileSegment(r.GetString(0), r.GetInt64(1), r.IsDBNull(2) ? null : (uint)r.GetInt64(2)), token), cancellationToken);

    public Task<FilePage?> ListFilesAsync(string projectId, FileListQuery query, long now, CancellationToken cancellationToken) =>
        ReadAsync(async (connection, token) =>
            await KeysetPageAsync(connection, "files", "seq", FileColumns,
                $"project_id = @project AND {IsAlive} AND (@purpose::text IS NULL OR purpose = @purpose::text)", $"project_id = @project AND {IsAlive}",
                [("project", projectId), ("now", now), ("purpose", query.Purpose)], query.After, query.Order, query.Limit, ReadFile, token) is { } page
                ? new FilePage(page.Rows, page.HasMore)
                : null, cancellationToken);

    /// <remarks>
    /// One statement: the file's row is deleted first, so of two nodes deleting the same file one finds it gone and
    /// answers false, and its segments join the garbage once.
    /// </remarks>
    public Task<bool> DeleteFileAsync(string projectId, string fileId, long now, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, token) => await ScalarAsync<long>(connection,
            $"""
            WITH gone AS (DELETE FROM files WHERE id = @id AND project_id = @project AND {IsAlive} RETURNING id, bytes),
            released AS (DELETE FROM file_segments WHERE file_id IN (SELECT id FROM gone) RETURNING blob_key, bytes),
            freed AS (INSERT INTO garbage (blob_key, bytes, since) SELECT blob_key, bytes, @now FROM released ON CONFLICT (blob_key) DO NOTHING),
            uncharged AS (
                UPDATE project_usage SET bytes = project_usage.bytes - gone.bytes, files = project_usage.files - 1
                FROM gone WHERE project_usage.project_id = @project)
            SELECT count(*) FROM gone;
            """,
            [("id", fileId), ("project", projectId), ("now", now)], token) > 0, cancellationToken);

    /// <summary>Inserts the file if <see cref="ChargeUsage"/>, with <paramref name="charge"/>, lets it; 0 when it did not.</summary>
    private static Task<int> InsertFileAsync(NpgsqlConnection connection, StoredFile file, (string, object?)[] charge, CancellationToken cancellationToken) =>
        ExecuteAsync(connection,
            $"""
            WITH charged AS ({ChargeUsage})
            INSERT INTO files ({FileColumns}) SELECT @id, @project, @filename, @purpose, @bytes, @created, @expires, @crc FROM charged;
            """,
            [
                .. charge,
                ("id", file.Id), ("project", file.ProjectId), ("filename", PostgresText.Encode(file.Filename)), ("purpose", file.Purpose),
                ("bytes", file.Bytes), ("created", file.CreatedAt), ("expires", file.ExpiresAt), ("crc", (long?)file.Crc32C),
            ],
            cancellationToken);

    private static StoredFile ReadFile(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        ProjectId = reader.GetString(1),
        Filename = PostgresText.Decode(reader, 2),
        Purpose = reader.GetString(3),
        Bytes = reader.GetInt64(4),
        CreatedAt = reader.GetInt64(5),
        ExpiresAt = reader.IsDBNull(6) ? null : reader.GetInt64(6),
        Crc32C = reader.IsDBNull(7) ? null : (uint)reader.GetInt64(7),
    };
}
