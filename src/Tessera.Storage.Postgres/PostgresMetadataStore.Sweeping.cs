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
            var expired = await QueryAsync(connection,
                """
                UPDATE uploads SET status = 'expired'
                WHERE status = 'pending' AND id IN (
                    SELECT id FROM uploads WHERE status = 'pending' AND expires_at <= @now ORDER BY id FOR UPDATE SKIP LOCKED)
                RETURNING id;
                """,
                parameters, r => r.GetString(0), token);
            if (expired.Count > 0)
            {
                // A statement of its own, after the update: it sees the parts of transactions that the locks waited for.
                await ReleaseRowsAsync(connection, "parts", "upload_id = ANY(@expired)", [("expired", expired.ToArray())], now, token);
            }

            var files = await ScalarAsync<long>(connection,
                """
                WITH gone AS (
                    DELETE FROM files WHERE id IN (
                        SELECT id FROM files WHERE expires_at IS NOT NULL AND expires_at <= @now ORDER BY id FOR UPDATE SKIP LOCKED)
                    RETURNING id),
                released AS (DELETE FROM file_segments WHERE file_id IN (SELECT id FROM gone) RETURNING blob_key),
                freed AS (INSERT INTO garbage (blob_key, since) SELECT blob_key, @now FROM released ON CONFLICT (blob_key) DO NOTHING)
                SELECT count(*) FROM gone;
                """,
                parameters, token);
            return new ExpiryOutcome(expired.Count, (int)files);
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

    public Task ForgetGarbageAsync(IReadOnlyCollection<string> blobKeys, CancellationToken cancellationToken) =>
        WriteAsync((connection, token) =>
            ExecuteAsync(connection, "DELETE FROM garbage WHERE blob_key = ANY(@blobs);", [("blobs", blobKeys.ToArray())], token), cancellationToken);

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
