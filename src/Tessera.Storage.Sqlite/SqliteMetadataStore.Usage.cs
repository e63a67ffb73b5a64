using Microsoft.Data.Sqlite;
using Tessera.Domain;

namespace Tessera.Storage.Sqlite;

/// <summary>
/// Each project's usage, kept in <c>project_usage</c> by the write that changes it, in the same transaction. The one
/// writer runs writes one at a time, so a check and the update that follows it cannot be overtaken.
/// </summary>
public sealed partial class SqliteMetadataStore
{
    public Task<ProjectUsage> ReadProjectUsageAsync(string projectId, CancellationToken cancellationToken) =>
        ReadAsync((connection, token) => ReadUsageAsync(connection, null, projectId, token), cancellationToken);

    private static async Task<ProjectUsage> ReadUsageAsync(SqliteConnection connection, SqliteTransaction? transaction, string projectId, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(connection, transaction,
            "SELECT bytes, files, pending_uploads FROM project_usage WHERE project_id = $project;",
            [("$project", projectId)], r => new ProjectUsage(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)), cancellationToken);
        return rows.SingleOrDefault() ?? ProjectUsage.None;
    }

    /// <summary>Adds <paramref name="change"/> to the project's usage unless it would pass <paramref name="quota"/>; null when added.</summary>
    private static async Task<QuotaRefusal?> ChargeUsageAsync(
        SqliteConnection connection, SqliteTransaction transaction, string projectId, ProjectUsage change, ProjectQuota quota, CancellationToken cancellationToken)
    {
        if (QuotaRefusal.Check(quota, await ReadUsageAsync(connection, transaction, projectId, cancellationToken), change) is { } refusal)
        {
            return refusal;
        }

        await AddUsageAsync(connection, transaction, projectId, change, cancellationToken);
        return null;
    }

    /// <summary>Adds <paramref name="change"/> (negative to free) to the project's usage, whatever its quota.</summary>
    private static Task<int> AddUsageAsync(SqliteConnection connection, SqliteTransaction transaction, string projectId, ProjectUsage change, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            """
            INSERT INTO project_usage (project_id, bytes, files, pending_uploads) VALUES ($project, $bytes, $files, $pending)
            ON CONFLICT (project_id) DO UPDATE SET
                bytes = bytes + excluded.bytes, files = files + excluded.files, pending_uploads = pending_uploads + excluded.pending_uploads;
            """,
            [("$project", projectId), ("$bytes", change.Bytes), ("$files", change.Files), ("$pending", change.PendingUploads)],
            cancellationToken);
}
