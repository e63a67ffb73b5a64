namespace Tessera.Storage.Sqlite;

public sealed partial class SqliteMetadataStore
{
    // Pending as a client sees it: an upload past its expires_at has expired even before the sweeper marks it.
    private const string IsPending = "status = 'pending' AND expires_at > $now";

    public Task<PendingUploadPage?> ListPendingUploadsAsync(string projectId, UploadListQuery query, long now, CancellationToken cancellationToken) =>
        ReadAsync(async (connection, token) =>
        {
            var descending = query.Order == ListOrder.Descending;
            var where = $"project_id = $project AND {IsPending}";
            var parameters = new List<(string, object?)> { ("$project", projectId), ("$now", now), ("$take", query.Limit + 1) };

            if (query.After is { } after)
            {
                // Any upload of the project serves as the cursor: one that completed since the page before was read
                // still marks where that page ended.
                var cursor = await QueryAsync(connection, null,
                    "SELECT created_at, rowid FROM uploads WHERE id = $after AND project_id = $project;",
                    [("$after", after), ("$project", projectId)], r => (CreatedAt: r.GetInt64(0), Row: r.GetInt64(1)), token);
                if (cursor.Count == 0)
                {
                    return null;
                }

                // Uploads are ordered by (created_at, rowid): the rowid breaks ties between uploads created in the same second.
                where += descending ? " AND (created_at, rowid) < ($afterCreated, $afterRow)" : " AND (created_at, rowid) > ($afterCreated, $afterRow)";
                parameters.Add(("$afterCreated", cursor[0].CreatedAt));
                parameters.Add(("$afterRow", cursor[0].Row));
            }

            var direction = descending ? "DESC" : "ASC";
            var uploads = await QueryAsync(connection, null,
                $"""
                SELECT {UploadColumns}, (SELECT coalesce(sum(parts.bytes), 0) FROM parts WHERE parts.upload_id = uploads.id)
                FROM uploads WHERE {where} ORDER BY created_at {direction}, rowid {direction} LIMIT $take;
                """,
                [.. parameters], r => new PendingUpload(ReadUpload(r), r.GetInt64(12)), token);
            var hasMore = uploads.Count > query.Limit;
            return new PendingUploadPage(hasMore ? uploads[..query.Limit] : uploads, hasMore);
        }, cancellationToken);
}
