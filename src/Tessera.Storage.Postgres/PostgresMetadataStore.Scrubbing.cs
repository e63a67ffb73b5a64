namespace Tessera.Storage.Postgres;

public sealed partial class PostgresMetadataStore
{
    /// <remarks>Each side reads its blob_key index in order up to the limit, so a page costs the same wherever it starts.</remarks>
    public Task<IReadOnlyList<RecordedBlob>> ListRecordedBlobsAsync(string? afterBlobKey, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<RecordedBlob>>(async (connection, token) => await QueryAsync(connection,
            """
            SELECT blob_key, bytes, crc32c, owner, owner_id FROM (
                (SELECT blob_key, bytes, crc32c, 'file' AS owner, file_id AS owner_id FROM file_segments
                 WHERE blob_key > @after ORDER BY blob_key LIMIT @limit)
                UNION ALL
                (SELECT blob_key, bytes, crc32c, 'upload', upload_id FROM parts
                 WHERE blob_key > @after ORDER BY blob_key LIMIT @limit)) AS recorded
            ORDER BY blob_key LIMIT @limit;
            """,
            [("after", afterBlobKey ?? ""), ("limit", limit)],
            r => new RecordedBlob(
                r.GetString(0), r.GetInt64(1), r.IsDBNull(2) ? null : (uint)r.GetInt64(2),
                r.GetString(3) == "file" ? BlobOwner.File : BlobOwner.Upload, r.GetString(4)),
            token), cancellationToken);

    /// <remarks>
    /// One statement: of two nodes racing for a free or lapsed lease, PostgreSQL lets the second see the first's row
    /// and its WHERE fails. The expiry is the database's clock, which every node shares.
    /// </remarks>
    public Task<bool> TryAcquireLeaseAsync(string name, string holder, TimeSpan duration, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, token) => (await QueryAsync(connection,
            """
            INSERT INTO leases (name, holder, expires_at) VALUES (@name, @holder, clock_timestamp() + @duration)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE leases.holder = excluded.holder OR leases.expires_at <= clock_timestamp()
            RETURNING holder;
            """,
            [("name", name), ("holder", holder), ("duration", duration)], r => r.GetString(0), token)).Count > 0, cancellationToken);

    public Task ReleaseLeaseAsync(string name, string holder, CancellationToken cancellationToken) =>
        WriteAsync((connection, token) =>
            ExecuteAsync(connection, "DELETE FROM leases WHERE name = @name AND holder = @holder;", [("name", name), ("holder", holder)], token),
            cancellationToken);
}
