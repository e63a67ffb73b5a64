namespace Tessera.Storage.Postgres;

public sealed partial class PostgresMetadataStore
{
    // Pending as a client sees it: an upload past its expires_at has expired even before the sweeper marks it.
    private const string IsPending = "status = 'pending' AND expires_at > @now";

    // Any upload of the project serves as the cursor: one that completed since the page before was read still marks
    // where that page ended. seq breaks ties between uploads created in the same second.
    public Task<PendingUploadPage?> ListPendingUploadsAsync(string projectId, UploadListQuery query, long now, CancellationToken cancellationToken) =>
        ReadAsync(async (connection, token) =>
            await KeysetPageAsync(connection, "uploads", "seq",
                $"{UploadColumns}, (SELECT coalesce(sum(parts.bytes), 0)::bigint FROM parts WHERE parts.upload_id = uploads.id)",
                $"project_id = @project AND {IsPending}", "project_id = @project",
                [("project", projectId), ("now", now)], query.After, query.Order, query.Limit,
                r => new PendingUpload(ReadUpload(r), r.GetInt64(12)), token) is { } page
                ? new PendingUploadPage(page.Rows, page.HasMore)
                : null, cancellationToken);
}
