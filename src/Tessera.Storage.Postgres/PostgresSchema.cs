using Npgsql;

namespace Tessera.Storage.Postgres;

/// <summary>
/// The schema as a list of migrations, applied in order at start-up; the table <c>schema_version</c> records how
/// many have run. A migration is never edited once released: a change is a new entry. Nodes that start at once
/// take turns through a transaction-scoped advisory lock, so each migration runs exactly once.
/// </summary>
/// <remarks>
/// A release refuses a database whose <c>schema_version</c> is newer than it knows. Changes that releases before
/// them can run beside (a new nullable column, which their statements never name) are therefore
/// <see cref="Additions"/>, counted in <c>schema_additions</c> instead: a node of an earlier release keeps working, and
/// restarting, on a database a later release has added to, so a cluster can be upgraded one node at a time.
/// </remarks>
internal static class PostgresSchema
{
    // Any number every node agrees on: it names the advisory lock that migrations hold ("tessera" in ASCII).
    private const long MigrationLock = 0x74_65_73_73_65_72_61;

    // Every blob is referred to by exactly one of: a part of a pending upload, a file segment, or the garbage list.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE uploads (
            id text PRIMARY KEY,
            project_id text NOT NULL,
            filename bytea NOT NULL,
            purpose text NOT NULL,
            bytes bigint NOT NULL,
            mime_type text NOT NULL,
            created_at bigint NOT NULL,
            expires_at bigint NOT NULL,
            status text NOT NULL CHECK (status IN ('pending', 'completed', 'cancelled', 'expired')),
            file_expires_after_seconds integer NULL,
            file_id text NULL,
            completed_part_ids text[] NULL
        );
        CREATE INDEX uploads_pending_by_expiry ON uploads (expires_at) WHERE status = 'pending';

        CREATE TABLE parts (
            seq bigint GENERATED ALWAYS AS IDENTITY,
            id text PRIMARY KEY,
            upload_id text NOT NULL,
            bytes bigint NOT NULL,
            created_at bigint NOT NULL,
            blob_key text NOT NULL UNIQUE,
            md5 text NULL
        );
        CREATE INDEX parts_by_upload ON parts (upload_id, created_at, seq);

        CREATE TABLE files (
            seq bigint GENERATED ALWAYS AS IDENTITY,
            id text PRIMARY KEY,
            project_id text NOT NULL,
            filename bytea NOT NULL,
            purpose text NOT NULL,
            bytes bigint NOT NULL,
            created_at bigint NOT NULL,
            expires_at bigint NULL
        );
        CREATE INDEX files_by_project ON files (project_id, created_at, seq);
        CREATE INDEX files_by_expiry ON files (expires_at) WHERE expires_at IS NOT NULL;

        CREATE TABLE file_segments (
            file_id text NOT NULL,
            position integer NOT NULL,
            blob_key text NOT NULL UNIQUE,
            bytes bigint NOT NULL,
            PRIMARY KEY (file_id, position)
        );

        -- claimed_until: the database time until which one sweeper has the blob to itself (see ListGarbageAsync).
        CREATE TABLE garbage (
            blob_key text PRIMARY KEY,
            since bigint NOT NULL,
            claimed_until timestamptz NULL
        );
        CREATE INDEX garbage_by_age ON garbage (since);
        """,
        // What each project holds, for its quotas, kept by every write that changes it; a database made before
        // quotas starts from what it holds.
        """
        CREATE TABLE project_usage (
            project_id text PRIMARY KEY,
            bytes bigint NOT NULL,
            files bigint NOT NULL,
            pending_uploads bigint NOT NULL
        );

        INSERT INTO project_usage (project_id, bytes, files, pending_uploads)
        SELECT project_id, sum(bytes), sum(files), sum(pending_uploads) FROM (
            SELECT u.project_id, p.bytes, 0 AS files, 0 AS pending_uploads FROM parts p JOIN uploads u ON u.id = p.upload_id
            UNION ALL
            SELECT project_id, bytes, 1, 0 FROM files
            UNION ALL
            SELECT project_id, 0, 0, 1 FROM uploads WHERE status = 'pending') AS held
        GROUP BY project_id;
        """,
        // What each blob on the garbage list held, so the sweeper can report the bytes it frees; 0 for blobs that
        // were already on the list.
        """
        ALTER TABLE garbage ADD COLUMN bytes bigint NOT NULL DEFAULT 0;
        """,
        // A project's pending uploads in creation order, for GET /uploads: seq breaks ties between uploads created
        // in the same second, as it does for files. Uploads made before it are numbered in no particular order.
        """
        ALTER TABLE uploads ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
        CREATE INDEX uploads_pending_by_project ON uploads (project_id, created_at, seq) WHERE status = 'pending';
        """,
    ];

    // Changes that every release since the last entry of Migrations can run beside; see the remarks above.
    private static readonly string[] Additions =
    [
        // The CRC32C of each part, file and segment (the segment keeps its part's); null for what was stored before,
        // or by a node of an earlier release.
        """
        ALTER TABLE parts ADD COLUMN crc32c bigint NULL;
        ALTER TABLE files ADD COLUMN crc32c bigint NULL;
        ALTER TABLE file_segments ADD COLUMN crc32c bigint NULL;
        """,
        // Leases that let one node at a time do a cluster-wide job (a scrub round); expires_at is the database's
        // clock, so a node that died holding one frees it by then.
        """
        CREATE TABLE leases (
            name text PRIMARY KEY,
            holder text NOT NULL,
            expires_at timestamptz NOT NULL
        );
        """,
    ];

    /// <summary>Brings the schema up to date in one transaction; returns the version it is at.</summary>
    /// <exception cref="InvalidOperationException">The database's schema is newer than this build knows.</exception>
    public static async Task<int> MigrateAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({MigrationLock});", cancellationToken);
        await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL);", cancellationToken);

        await using (var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM schema_version;", connection))
        {
            var version = (int)(await read.ExecuteScalarAsync(cancellationToken))!;
            if (version > Migrations.Length)
            {
                throw new InvalidOperationException(
                    $"The metadata database has schema version {version}, newer than this Tessera knows ({Migrations.Length}). Upgrade Tessera.");
            }

            for (var next = version; next < Migrations.Length; next++)
            {
                await ExecuteAsync(connection, Migrations[next], cancellationToken);
            }

            if (version < Migrations.Length)
            {
                await ExecuteAsync(connection,
                    $"DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES ({Migrations.Length});", cancellationToken);
            }
        }

        await AddAsync(connection, cancellationToken);

        await transaction.CommitAsync(cancellationToken);
        return Migrations.Length;
    }

    // More additions than this build knows means a later release made them; by their definition this one runs beside them.
    private static async Task AddAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS schema_additions (applied integer NOT NULL);", cancellationToken);
        await using var read = new NpgsqlCommand("SELECT coalesce(max(applied), 0) FROM schema_additions;", connection);
        var applied = (int)(await read.ExecuteScalarAsync(cancellationToken))!;
        for (var next = applied; next < Additions.Length; next++)
        {
            await ExecuteAsync(connection, Additions[next], cancellationToken);
        }

        if (applied < Additions.Length)
        {
            await ExecuteAsync(connection,
                $"DELETE FROM schema_additions; INSERT INTO schema_additions (applied) VALUES ({Additions.Length});", cancellationToken);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
