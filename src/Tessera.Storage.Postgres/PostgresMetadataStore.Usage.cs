using Npgsql;
using Tessera.Domain;

namespace Tessera.Storage.Postgres;

/// <summary>
/// Each project's usage, in one row of <c>project_usage</c> that every write changing it updates in its own
/// transaction. A write that adds checks the quota in the same statement that adds (<see cref="ChargeUsage"/>), so
/// the row lock makes racing writes from any node take turns and each sees what the one before it left.
/// </summary>
public sealed partial class PostgresMetadataStore
{
    /// <summary>
    /// A statement to put first in a <c>WITH charged AS (...)</c>: adds <c>@charge*</c> to the project's usage and
    /// answers one row, or none when a limit (<c>@limit*</c>, null for none) would be passed by a positive charge.
    /// The first write of a project makes its row; a later one waits for the row's lock and checks what the writes it
    /// waited for committed. Parameters come from <see cref="ChargeParameters"/>.
    /// </summary>
    private const string ChargeUsage =
        """
        INSERT INTO project_usage AS usage (project_id, bytes, files, pending_uploads)
        SELECT @chargeProject, @chargeBytes, @chargeFiles, @chargePending
        WHERE (@limitBytes::bigint IS NULL OR @chargeBytes <= 0 OR @chargeBytes <= @limitBytes::bigint)
          AND (@limitFiles::bigint IS NULL OR @chargeFiles <= 0 OR @chargeFiles <= @limitFiles::bigint)
          AND (@limitPending::bigint IS NULL OR @chargePending <= 0 OR @chargePending <= @limitPending::bigint)
        ON CONFLICT (project_id) DO UPDATE SET
            bytes = usage.bytes + EXCLUDED.bytes,
            files = usage.files + EXCLUDED.files,
            pending_uploads = usage.pending_uploads + EXCLUDED.pending_uploads
        WHERE (@limitBytes::bigint IS NULL OR EXCLUDED.bytes <= 0 OR usage.bytes + EXCLUDED.bytes <= @limitBytes::bigint)
          AND (@limitFiles::bigint IS NULL OR EXCLUDED.files <= 0 OR usage.files + EXCLUDED.files <= @limitFiles::bigint)
          AND (@limitPending::bigint IS NULL OR EXCLUDED.pending_uploads <= 0 OR usage.pending_uploads + EXCLUDED.pending_uploads <= @limitPending::bigint)
        RETURNING 1
        """;

    public Task<ProjectUsage> ReadProjectUsageAsync(string projectId, CancellationToken cancellationToken) =>
        ReadAsync((connection, token) => ReadUsageAsync(connection, projectId, token), cancellationToken);

    private static async Task<ProjectUsage> ReadUsageAsync(NpgsqlConnection connection, string projectId, CancellationToken cancellationToken) =>
        (await QueryAsync(connection, "SELECT bytes, files, pending_uploads FROM project_usage WHERE project_id = @project;",
            [("project", projectId)], r => new ProjectUsage(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)), cancellationToken)).SingleOrDefault()
        ?? ProjectUsage.None;

    private static (string, object?)[] ChargeParameters(string projectId, ProjectUsage change, ProjectQuota quota) =>
    [
        ("chargeProject", projectId), ("chargeBytes", change.Bytes), ("chargeFiles", change.Files), ("chargePending", change.PendingUploads),
        ("limitBytes", quota.Bytes), ("limitFiles", quota.Files), ("limitPending", quota.PendingUploads),
    ];

    /// <summary>
    /// Why <see cref="ChargeUsage"/> charged nothing, read after it within the transaction. Should the usage have
    /// dropped meanwhile (a file deleted on another node), the refusal names the first limited kind charged, as it was.
    /// </summary>
    private static async Task<QuotaRefusal> ExplainRefusalAsync(
        NpgsqlConnection connection, string projectId, ProjectUsage change, ProjectQuota quota, CancellationToken cancellationToken)
    {
        var usage = await ReadUsageAsync(connection, projectId, cancellationToken);
        if (QuotaRefusal.Check(quota, usage, change) is { } refusal)
        {
            return refusal;
        }

        var kind = Enum.GetValues<QuotaKind>().First(k => change.UsedOf(k) > 0 && quota.LimitOf(k) is not null);
        return new QuotaRefusal(kind, change.UsedOf(kind), usage.UsedOf(kind), quota.LimitOf(kind)!.Value);
    }

    /// <summary>
    /// Takes <paramref name="changes"/> (negative to free) off the projects' usage, whatever their quotas. The rows are
    /// locked in the order of their project ids first, so two sweeps freeing for the same projects cannot deadlock.
    /// </summary>
    private static Task<int> AddUsageAsync(NpgsqlConnection connection, IReadOnlyDictionary<string, ProjectUsage> changes, CancellationToken cancellationToken)
    {
        var projects = changes.Keys.Order(StringComparer.Ordinal).ToArray();
        return ExecuteAsync(connection,
            """
            SELECT 1 FROM project_usage WHERE project_id = ANY(@projects) ORDER BY project_id FOR UPDATE;
            UPDATE project_usage AS usage SET
                bytes = usage.bytes + change.bytes, files = usage.files + change.files, pending_uploads = usage.pending_uploads + change.pending_uploads
            FROM unnest(@projects::text[], @bytes::bigint[], @files::bigint[], @pending::bigint[]) AS change (project_id, bytes, files, pending_uploads)
            WHERE usage.project_id = change.project_id;
            """,
            [
                ("projects", projects), ("bytes", projects.Select(p => changes[p].Bytes).ToArray()),
                ("files", projects.Select(p => changes[p].Files).ToArray()), ("pending", projects.Select(p => changes[p].PendingUploads).ToArray()),
            ],
            cancellationToken);
    }
}
