using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace Tessera.LoadBench.Nodes;

/// <summary>
/// PostgreSQL's own account of a phase, for the database the nodes use: its commit and rollback counters and the time
/// its sessions spent executing (pg_stat_database), how often its sessions were seen waiting on a lock
/// (pg_stat_activity sampled every 20 ms), and the lock waits the server logged (log_lock_waits, with a
/// deadlock_timeout of 1 ms, logs every wait longer than 1 ms with its length). The benchmark connects to another
/// database (postgres), so its own queries count in none of the nodes' counters.
/// </summary>
internal sealed partial class PostgresFigures(NpgsqlDataSource dataSource, string database, string logPath) : IAsyncDisposable
{
    private long _logOffset = File.Exists(logPath) ? new FileInfo(logPath).Length : 0;

    public static PostgresFigures Open(string connectionString, string database, string logPath) =>
        new(NpgsqlDataSource.Create(connectionString), database, logPath);

    /// <summary>The cumulative counters now. PostgreSQL publishes a session's counters within ~10 s of its going idle.</summary>
    public async Task<DatabaseCounters> ReadCountersAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT xact_commit, xact_rollback, deadlocks, active_time FROM pg_stat_database WHERE datname = $1;");
        command.Parameters.AddWithValue(database);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException($"PostgreSQL has no database named {database}");
        }

        return new DatabaseCounters(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetDouble(3));
    }

    /// <summary>Samples the database's sessions every 20 ms until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task<LockSamples> SampleAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand(
            """
            SELECT count(*) FILTER (WHERE state = 'active'), count(*) FILTER (WHERE wait_event_type = 'Lock')
            FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid();
            """, connection);
        command.Parameters.AddWithValue(database);
        await command.PrepareAsync(CancellationToken.None);
        var samples = new LockSamples();
        while (!cancellationToken.IsCancellationRequested)
        {
            await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None))
            {
                await reader.ReadAsync(CancellationToken.None);
                samples.Add(reader.GetInt64(0), reader.GetInt64(1));
            }

            try
            {
                await Task.Delay(20, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return samples;
    }

    /// <summary>The lock waits logged since the last call: how many, their total length, and on which tables.</summary>
    public LoggedLockWaits TakeLoggedLockWaits()
    {
        using var file = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        file.Seek(_logOffset, SeekOrigin.Begin);
        var bytes = new byte[file.Length - _logOffset];
        file.ReadExactly(bytes);
        var complete = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        _logOffset += complete;
        var waits = new LoggedLockWaits();
        var lines = Encoding.UTF8.GetString(bytes, 0, complete).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (AcquiredAfter().Match(lines[i]) is not { Success: true } acquired)
            {
                continue;
            }

            // A wait for a row's tuple lock names its table by number (resolved by ResolveTableNamesAsync); a wait for
            // the transaction holding the row has a CONTEXT line that names it ('while locking tuple (0,3) in relation "uploads"').
            var table = TupleOfRelation().Match(lines[i]) is { Success: true } tuple
                ? "#" + tuple.Groups[1].Value
                : lines.Skip(i + 1).Take(3).Select(l => InRelation().Match(l)).FirstOrDefault(m => m.Success)?.Groups[1].Value ?? "other";
            waits.Add(table, double.Parse(acquired.Groups[1].Value, CultureInfo.InvariantCulture));
        }

        return waits;
    }

    /// <summary>Replaces the table numbers in <paramref name="waits"/> by the tables' names, once the timed phases are over.</summary>
    public async Task<LoggedLockWaits> ResolveTableNamesAsync(LoggedLockWaits waits, CancellationToken cancellationToken)
    {
        var oids = waits.ByTable.Keys.Where(k => k.StartsWith('#')).Select(k => uint.Parse(k[1..], CultureInfo.InvariantCulture)).ToArray();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        if (oids.Length > 0)
        {
            var builder = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString) { Database = database };
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT oid::int8, relname FROM pg_class WHERE oid::int8 = ANY($1);", connection);
            command.Parameters.AddWithValue(oids.Select(o => (long)o).ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                names["#" + reader.GetInt64(0).ToString(CultureInfo.InvariantCulture)] = reader.GetString(1);
            }
        }

        var resolved = new LoggedLockWaits();
        foreach (var (table, (count, milliseconds)) in waits.ByTable)
        {
            resolved.Add(names.GetValueOrDefault(table, table), milliseconds, count);
        }

        return resolved;
    }

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();

    // "LOG:  process 123 acquired ShareLock on transaction 456 after 12.345 ms" (a wait that ended in a deadlock
    // error is logged otherwise and shows in the deadlocks counter instead).
    [GeneratedRegex(@"process \d+ acquired \w+ on .*? after ([0-9.]+) ms")]
    private static partial Regex AcquiredAfter();

    [GeneratedRegex(@"on tuple \(\d+,\d+\) of relation (\d+)")]
    private static partial Regex TupleOfRelation();

    [GeneratedRegex(@"CONTEXT: .*relation ""(\w+)""")]
    private static partial Regex InRelation();
}

internal sealed record DatabaseCounters(long Commits, long Rollbacks, long Deadlocks, double ActiveMilliseconds)
{
    public static DatabaseCounters operator -(DatabaseCounters after, DatabaseCounters before) =>
        new(after.Commits - before.Commits, after.Rollbacks - before.Rollbacks, after.Deadlocks - before.Deadlocks,
            after.ActiveMilliseconds - before.ActiveMilliseconds);

    public static DatabaseCounters operator +(DatabaseCounters a, DatabaseCounters b) =>
        new(a.Commits + b.Commits, a.Rollbacks + b.Rollbacks, a.Deadlocks + b.Deadlocks, a.ActiveMilliseconds + b.ActiveMilliseconds);
}

/// <summary>Sessions seen executing a statement, and seen waiting on a lock, summed over the samples.</summary>
internal sealed class LockSamples
{
    public long Samples { get; private set; }

    public long ActiveSessions { get; private set; }

    public long WaitingSessions { get; private set; }

    public void Add(long active, long waiting)
    {
        Samples++;
        ActiveSessions += active;
        WaitingSessions += waiting;
    }

    public static LockSamples Sum(IEnumerable<LockSamples> all)
    {
        var sum = new LockSamples();
        foreach (var s in all)
        {
            sum.Samples += s.Samples;
            sum.ActiveSessions += s.ActiveSessions;
            sum.WaitingSessions += s.WaitingSessions;
        }

        return sum;
    }
}

/// <summary>Logged lock waits by the table whose row was waited for ("other" when the log names none).</summary>
internal sealed class LoggedLockWaits
{
    public SortedDictionary<string, (int Count, double Milliseconds)> ByTable { get; } = new(StringComparer.Ordinal);

    public int Count => ByTable.Values.Sum(w => w.Count);

    public double Milliseconds => ByTable.Values.Sum(w => w.Milliseconds);

    public void Add(string table, double milliseconds, int count = 1)
    {
        var (c, ms) = ByTable.GetValueOrDefault(table);
        ByTable[table] = (c + count, ms + milliseconds);
    }

    public static LoggedLockWaits Sum(IEnumerable<LoggedLockWaits> all)
    {
        var sum = new LoggedLockWaits();
        foreach (var (table, (count, milliseconds)) in all.SelectMany(w => w.ByTable))
        {
            sum.Add(table, milliseconds, count);
        }

        return sum;
    }

    /// <summary>For a table cell, e.g. "uploads 16 (184 ms)", or "none".</summary>
    public override string ToString() =>
        ByTable.Count == 0 ? "none" : string.Join(", ", ByTable.Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.Key} {w.Value.Count} ({w.Value.Milliseconds:F0} ms)")));
}
