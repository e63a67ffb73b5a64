using Microsoft.Data.Sqlite;
using Tessera.Domain;

namespace Tessera.Storage.Sqlite;

public sealed partial class SqliteMetadataStore
{
    public Task<ExpiryOutcome> ExpireOverdueAsync(long now, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction, token) => ExpireOverdueAsync(connection, transaction, now, token), cancellationToken);

    private static async Task<ExpiryOutcome> ExpireOverdueAsync(SqliteConnection connection, SqliteTransaction transaction, long now, CancellationToken cancellationToken)
    {
        (string, object?)[] parameters = [("$now", now)];

        // What the sweep frees, per project, before the rows that say it are gone.
        var freed = await QueryAsync(connection, transaction,
            """
            SELECT project_id, sum(bytes), sum(files), sum(pending_uploads) FROM (
                SELECT u.project_id, coalesce((SELECT sum(p.bytes) FROM parts p WHERE p.upload_id = u.id), 0) AS bytes, 0 AS files, 1 AS pending_uploads
                FROM uploads u WHERE u.status = 'pending' AND u.expires_at <= $now
                UNION ALL
                SELECT project_id, bytes, 1, 0 FROM files WHERE expires_at IS NOT NULL AND expires_at <= $now)
            GROUP BY project_id;
            """,
            parameters, r => (Project: r.GetString(0), Usage: new ProjectUsage(-r.GetInt64(1), -r.GetInt64(2), -r.GetInt64(3))), cancellationToken);
        foreach (var (project, change) in freed)
        {
            await AddUsageAsync(connection, transaction, project, change, cancellationToken);
        }

        await ReleaseRowsAsync(connection, transaction, "parts",
            "upload_id IN (SELECT id FROM uploads WHERE status = 'pending' AND expires_at <= $now)", parameters, now, cancellationToken);
        var uploads = await ExecuteAsync(connection, transaction,
            "UPDATE uploads SET status = 'expired' WHERE status = 'pending' AND expires_at <= $now;", parameters, cancellationToken);

        await ReleaseRowsAsync(connection, transaction, "file_segments",
            "file_id IN (SELECT id FROM files WHERE expires_at IS NOT NULL AND expires_at <= $now)", parameters, now, cancellationToken);
        var files = await ExecuteAsync(connection, transaction,
            "DELETE FROM files WHERE expires_at IS NOT NULL AND expires_at <= $now;", parameters, cancellationToken);

        return new ExpiryOutcome(uploads, files);
    }

    public Task<IReadOnlyList<string>> ListGarbageAsync(int max, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<string>>(async (connection, token) => await QueryAsync(connection, null,
            "SELECT blob_key FROM garbage ORDER BY since LIMIT $max;", [("$max", max)], r => r.GetString(0), token), cancellationToken);

    public Task<long> ForgetGarbageAsync(IReadOnlyCollection<string> blobKeys, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction, token) =>
        {
            var freed = 0L;
            foreach (var key in blobKeys)
            {
                var rows = await QueryAsync(connection, transaction, "DELETE FROM garbage WHERE blob_key = $blob RETURNING bytes;", [("$blob", key)], r => r.GetInt64(0), token);
                freed += rows.Sum();
            }

            return freed;
        }, cancellationToken);

    public Task<IReadOnlyCollection<string>> ListReferencedBlobKeysAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyCollection<string>>(async (connection, token) => await QueryAsync(connection, null,
            "SELECT blob_key FROM parts UNION ALL SELECT blob_key FROM file_segments;", [], r => r.GetString(0), token), cancellationToken);

    public Task<bool> IsBlobReferencedAsync(string blobKey, CancellationToken cancellationToken) =>
        ReadAsync(async (connection, token) => await ScalarAsync(connection, null,
            """
            SELECT EXISTS (SELECT 1 FROM parts WHERE blob_key = $blob)
                OR EXISTS (SELECT 1 FROM file_segments WHERE blob_key = $blob)
                OR EXISTS (SELECT 1 FROM garbage WHERE blob_key = $blob);
            """,
            [("$blob", blobKey)], token) != 0, cancellationToken);

    public Task<PendingUploadsSummary> SummarizePendingUploadsAsync(CancellationToken cancellationToken) =>
        ReadAsync(async (connection, token) =>
        {
            var summary = await QueryAsync(connection, null,
                """
                SELECT (SELECT count(*) FROM uploads WHERE status = 'pending'),
                       (SELECT coalesce(sum(bytes), 0) FROM parts WHERE upload_id IN (SELECT id FROM uploads WHERE status = 'pending'));
                """,
                [], r => new PendingUploadsSummary(r.GetInt64(0), r.GetInt64(1)), token);
            return summary[0];
        }, cancellationToken);
}
