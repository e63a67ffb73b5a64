using Tessera.Domain;

namespace Tessera.Storage.Postgres;

public sealed partial class PostgresMetadataStore
{
    // How long a sweeper has the garbage it listed to itself. Long enough to delete a batch of blobs; a sweeper
    // that died meanwhile only delays its batch by this much, for another node to take.
    private static readonly TimeSpan GarbageClaim = TimeSpan.FromMinutes(5);

    /// <remarks>
    /// Rows another transaction holds (a part being added, a cancel, another node's sweep) are skipped, not waited
    /// for: they are the next round's, and two sweepers never wait on each other's locks, so they cannot deadlock.
    /// </remarks>
    public Task<ExpiryOutcome> ExpireOverdueAsync(long now, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, token) =>
        {
            (string, object?)[] parameters = [("now", now)];
            var freed = new Dictionary<string, ProjectUsage>(StringComparer.Ordinal);
            void Free(string project, long bytes, long files, long pendingUploads)
            {
                var sum = freed.GetValueOrDefault(project, ProjectUsage.None);
                freed[project] = new ProjectUsage(sum.Bytes - bytes, sum.Files - files, sum.PendingUploads - pendingUploads);
            }

            var expired = await QueryAsync(connection,
                """
                UPDATE uploads SET status = 'expired'
                WHERE status = 'pending' AND id IN (
                    SELECT id FROM uploads WHERE status = 'pending' AND expires_at <= @now ORDER BY id FOR UPDATE SKIP LOCKED)
                RETURNING id, project_id;
                """,
                parameters, r => (Id: r.GetString(0), Project: r.GetString(1)), token);
            if (expired.Count > 0)
            {
                // A statement of its own, after the update: it sees the parts of transactions that the locks waited for.
                var releasedBytes = (await QueryAsync(connection,
                    """
                    WITH released AS (DELETE FROM parts WHERE upload_id = ANY(@expired) RETURNING upload_id, blob_key, bytes),
                    freed AS (INSERT INTO garbage (blob_key, bytes, since) SELECT blob_key, bytes, @now FROM released ON CONFLICT (blob_key) DO NOTHING)
                    SELECT upload_id, sum(bytes)::bigint FROM released GROUP BY upload_id;
                    """,
                    [("expired", expired.Select(u => u.Id).ToArray()), ("now", now)], r => (Upload: r.GetString(0), Bytes: r.GetInt64(1)), token))
                    .ToDictionary(r => r.Upload, r => r.Bytes, StringComparer.Ordinal);
                foreach (var upload in expired)
                {
                    Free(upload.Project, releasedBytes.GetValueOrDefault(upload.Id), 0, 1);
                }
            }

            var files = await QueryAsync(connection,
                """
                WITH gone AS (
                    DELETE FROM files WHERE id IN (
                        SELECT id FROM files WHERE expires_at IS NOT NULL AND expires_at <= @now ORDER BY id FOR UPDATE SKIP LOCKED)
                    RETURNING id, project_id, bytes),
                released AS (DELETE FROM file_segments WHERE file_id IN (SELECT id FROM gone) RETURNING blob_key, bytes),
                freed AS (INSERT INTO garbage (blob_key, bytes, since) SELECT blob_key, bytes, @now FROM released ON CONFLICT (blob_key) DO NOTHING)
                SELECT project_id, count(*), sum(bytes)::bigint FROM gone GROUP BY project_id;
                """,
                parameters, r => (Project: r.GetString(0), Files: r.GetInt64(1), Bytes: r.GetInt64(2)), token);
            foreach (var (project, count, bytes) in files)
            {
                Free(project, bytes, count, 0);
            }

            if (freed.Count > 0)
            {
                await AddUsageAsync(connection, freed, token);
            }

            return new ExpiryOutcome(expired.Count, (int)files.Sum(f => f.Files));
        }, cancellationToken);

    /// <remarks>
    /// Claims what it lists for a while (<see cref="GarbageClaim"/>), so sweepers on several nodes are handed
    /// different blobs and each blob is deleted by one of them; garbage whose claim ran out without being forgotten
    /// is listed again.
    /// </remarks>
    public Task<IReadOnlyList<string>> ListGarbageAsync(int max, CancellationToken cancellationToken) =>
        WriteAsync<IReadOnlyList<string>>(async (connection, token) => await QueryAsync(connection,
            """
            UPDATE garbage SET claimed_until = clock_timestamp() + @claim
            WHERE blob_key IN (
                SELECT blob_key FROM garbage WHERE claimed_until IS NULL OR claimed_until <= clock_timestamp()
                ORDER BY since LIMIT @max FOR UPDATE SKIP LOCKED)
            RETURNING blob_key;
            """,
            [("claim", GarbageClaim), ("max", max)], r => r.GetString(0), token), cancellationToken);

    public Task<long> ForgetGarbageAsync(IReadOnlyCollection<string> blobKeys, CancellationToken cancellationToken) =>
        WriteAsync((connection, token) =>
            ScalarAsync<long>(connection,
                "WITH forgotten AS (DELETE FROM garbage WHERE blob_key = ANY(@blobs) RETURNING bytes) SELECT coalesce(sum(bytes), 0)::bigint FROM forgotten;",
                [("blobs", blobKeys.ToArray())], token), cancellationToken);

    public Task<IReadOnlyCollection<string>> ListReferencedBlobKeysAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyCollection<string>>(async (connection, token) => await QueryAsync(connection,
            "SELECT blob_key FROM parts UNION ALL SELECT blob_key FROM file_segments;", [], r => r.GetString(0), token), cancellationToken);

    public Task<bool> IsBlobReferencedAsync(string blobKey, CancellationToken cancellationToken) =>
        ReadAsync((connection, token) => ScalarAsync<bool>(connection,
            """
            SELECT EXISTS (SELECT 1 FROM parts WHERE blob_key = @blob)
                OR EXISTS (SELECT 1 FROM file_segments WHERE blob_key = @blob)
                OR EXISTS (SELECT 1 FROM garbage WHERE blob_key = @blob);
            """,
            [("blob", blobKey)], token), cancellationToken);

    public Task<PendingUploadsSummary> SummarizePendingUploadsAsync(CancellationToken cancellationToken) =>
        ReadAsync(async (connection, token) =>
        {
            var summary = await QueryAsync(connection,
                """
                SELECT (SELECT count(*) FROM uploads WHERE status = 'pending'),
                       (SELECT coalesce(sum(bytes), 0)::bigint FROM parts WHERE upload_id IN (SELECT id FROM uploads WHERE status = 'pending'));
                """,
                [], r => new PendingUploadsSummary(r.GetInt64(0), r.GetInt64(1)), token);
            return summary[0];
        }, cancellationToken);
}
