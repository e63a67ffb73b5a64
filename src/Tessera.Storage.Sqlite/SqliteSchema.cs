using Microsoft.Data.Sqlite;

namespace Tessera.Storage.Sqlite;

/// <summary>
/// The schema as a list of migrations, applied in order at start-up; <c>PRAGMA user_version</c> records how many
/// have run. A migration is never edited once released: a change is a new entry.
/// </summary>
internal static class SqliteSchema
{
    // Every blob is referred to by exactly one of: a part of a pending upload, a file segment, or the garbage list.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE uploads (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL,
            filename TEXT NOT NULL,
            purpose TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            mime_type TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            status TEXT NOT NULL,
            file_expires_after_seconds INTEGER NULL,
            file_id TEXT NULL,
            completed_part_ids TEXT NULL
        );
        CREATE INDEX uploads_pending_by_expiry ON uploads (expires_at) WHERE status = 'pending';

        CREATE TABLE parts (
            id TEXT PRIMARY KEY,
            upload_id TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            blob_key TEXT NOT NULL UNIQUE,
            md5 TEXT NULL
        );
        CREATE INDEX parts_by_upload ON parts (upload_id);

        CREATE TABLE files (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            project_id TEXT NOT NULL,
            filename TEXT NOT NULL,
            purpose TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NULL
        );
        CREATE INDEX files_by_project ON files (project_id, created_at, seq);
        CREATE INDEX files_by_expiry ON files (expires_at) WHERE expires_at IS NOT NULL;

        CREATE TABLE file_segments (
            file_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            blob_key TEXT NOT NULL UNIQUE,
            bytes INTEGER NOT NULL,
            PRIMARY KEY (file_id, position)
        );

        CREATE TABLE garbage (
            blob_key TEXT PRIMARY KEY,
            since INTEGER NOT NULL
        );
        """,
        """
        -- One row that the health check rewrites: a real write, since a read still succeeds on a file system that has
        -- turned read-only.
        CREATE TABLE health_probe (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            checked_at INTEGER NOT NULL
        );
        """,
        // What each project holds, for its quotas, kept by every write that changes it; a database made before
        // quotas starts from what it holds.
        """
        CREATE TABLE project_usage (
            project_id TEXT PRIMARY KEY,
            bytes INTEGER NOT NULL,
            files INTEGER NOT NULL,
            pending_uploads INTEGER NOT NULL
        );

        INSERT INTO project_usage (project_id, bytes, files, pending_uploads)
        SELECT project_id, sum(bytes), sum(files), sum(pending_uploads) FROM (
            SELECT u.project_id, p.bytes, 0 AS files, 0 AS pending_uploads FROM parts p JOIN uploads u ON u.id = p.upload_id
            UNION ALL
            SELECT project_id, bytes, 1, 0 FROM files
            UNION ALL
            SELECT project_id, 0, 0, 1 FROM uploads WHERE status = 'pending')
        GROUP BY project_id;
        """,
        // What each blob on the garbage list held, so the sweeper can report the bytes it frees; 0 for blobs that
        // were already on the list.
        """
        ALTER TABLE garbage ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
        """,
        // A project's pending uploads in creation order, for GET /uploads; the rowid rides along in every index.
        """
        CREATE INDEX uploads_pending_by_project ON uploads (project_id, created_at) WHERE status = 'pending';
        """,
        // The CRC32C of each part, file and segment (the segment keeps its part's); null for what was stored before.
        """
        ALTER TABLE parts ADD COLUMN crc32c INTEGER NULL;
        ALTER TABLE files ADD COLUMN crc32c INTEGER NULL;
        ALTER TABLE file_segments ADD COLUMN crc32c INTEGER NULL;
        """,
        // Leases that let one holder at a time do a job (a scrub round); expires_at is in Unix milliseconds.
        """
        CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            expires_at INTEGER NOT NULL
        );
        """,
    ];

    public static async Task MigrateAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using (var wal = connection.CreateCommand())
        {
            // WAL lets readers run beside the one writer; it is a property of the database file, set once.
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        long version;
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "PRAGMA user_version;";
            version = (long)(await read.ExecuteScalarAsync(cancellationToken))!;
        }

        if (version > Migrations.Length)
        {
            throw new InvalidOperationException(
                $"The metadata database has schema version {version}, newer than this Tessera knows ({Migrations.Length}). Upgrade Tessera.");
        }

        for (var next = (int)version; next < Migrations.Length; next++)
        {
            await using var migrate = connection.CreateCommand();
            migrate.Transaction = transaction;
            migrate.CommandText = Migrations[next] + $"\nPRAGMA user_version = {next + 1};";
            await migrate.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
