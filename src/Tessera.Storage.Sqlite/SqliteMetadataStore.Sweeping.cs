namespace Tessera.Storage.Sqlite;

public sealed partial class SqliteMetadataStore
{
    public async Task<int> ExpireOverdueAsync(long now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken);
        (string, object?)[] parameters = [("$now", now)];

        await ReleaseRowsAsync(connection, transaction, "parts",
            "upload_id IN (SELECT id FROM uploads WHERE status = 'pending' AND expires_at <= $now)", parameters, now, cancellationToken);
        var uploads = await ExecuteAsync(connection, transaction,
            "UPDATE uploads SET status = 'expired' WHERE status = 'pending' AND expires_at <= $now;", parameters, cancellationToken);

        await ReleaseRowsAsync(connection, transaction, "file_segments",
            "file_id IN (SELECT id FROM files WHERE expires_at IS NOT NULL AND expires_at <= $now)", parameters, now, cancellationToken);
        var files = await ExecuteAsync(connection, transaction,
            "DELETE FROM files WHERE expires_at IS NOT NULL AND expires_at <= $now;", parameters, cancellationToken);

        await transaction.CommitAsync(cancellationToken);
        return uploads + files;
    }

    public async Task<IReadOnlyList<string>> ListGarbageAsync(int max, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await QueryAsync(connection, null, "SELECT blob_key FROM garbage ORDER BY since LIMIT $max;",
            [("$max", max)], r => r.GetString(0), cancellationToken);
    }

    public async Task ForgetGarbageAsync(IReadOnlyCollection<string> blobKeys, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken);
        foreach (var key in blobKeys)
        {
            await ExecuteAsync(connection, transaction, "DELETE FROM garbage WHERE blob_key = $blob;", [("$blob", key)], cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<bool> IsBlobReferencedAsync(string blobKey, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ScalarAsync(connection, null,
            """
            SELECT EXISTS (SELECT 1 FROM parts WHERE blob_key = $blob)
                OR EXISTS (SELECT 1 FROM file_segments WHERE blob_key = $blob)
                OR EXISTS (SELECT 1 FROM garbage WHERE blob_key = $blob);
            """,
            [("$blob", blobKey)], cancellationToken) != 0;
    }
}
