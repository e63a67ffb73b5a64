namespace Tessera.Storage.Sqlite;

public sealed partial class SqliteMetadataStore
{
    // The database's clock in Unix milliseconds: on one machine, the machine's.
    private const string NowMilliseconds = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

    public Task<IReadOnlyList<RecordedBlob>> ListRecordedBlobsAsync(string? afterBlobKey, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<RecordedBlob>>(async (connection, token) => await QueryAsync(connection, null,
            """
            SELECT blob_key, bytes, crc32c, owner, owner_id FROM (
                SELECT * FROM (SELECT blob_key, bytes, crc32c, 'file' AS owner, file_id AS owner_id FROM file_segments
                               WHERE blob_key > $after ORDER BY blob_key LIMIT $limit)
                UNION ALL
                SELECT * FROM (SELECT blob_key, bytes, crc32c, 'upload', upload_id FROM parts
                               WHERE blob_key > $after ORDER BY blob_key LIMIT $limit))
            ORDER BY blob_key LIMIT $limit;
            """,
            [("$after", afterBlobKey ?? ""), ("$limit", limit)],
            r => new RecordedBlob(
                r.GetString(0), r.GetInt64(1), r.IsDBNull(2) ? null : (uint)r.GetInt64(2),
                r.GetString(3) == "file" ? BlobOwner.File : BlobOwner.Upload, r.GetString(4)),
            token), cancellationToken);

    public Task<bool> TryAcquireLeaseAsync(string name, string holder, TimeSpan duration, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction, token) => await ExecuteAsync(connection, transaction,
            $"""
            INSERT INTO leases (name, holder, expires_at) VALUES ($name, $holder, {NowMilliseconds} + $duration)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE leases.holder = excluded.holder OR leases.expires_at <= {NowMilliseconds};
            """,
            [("$name", name), ("$holder", holder), ("$duration", (long)duration.TotalMilliseconds)], token) > 0, cancellationToken);

    public Task ReleaseLeaseAsync(string name, string holder, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction, token) => ExecuteAsync(connection, transaction,
            "DELETE FROM leases WHERE name = $name AND holder = $holder;", [("$name", name), ("$holder", holder)], token), cancellationToken);
}
