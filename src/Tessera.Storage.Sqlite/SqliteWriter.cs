using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Tessera.Storage.Sqlite;

/// <summary>
/// The one writer of the database: a thread of its own that owns one connection and drains a queue of writes in
/// groups. A group is one <c>BEGIN IMMEDIATE</c> transaction in which each write runs inside a savepoint of its own,
/// so a write that throws is undone alone; the group then commits once (one fsync for all of them) and only after
/// that does any caller get its answer.
/// </summary>
/// <remarks>
/// Racing writers on separate connections contend for SQLite's write lock, and Microsoft.Data.Sqlite answers a
/// busy lock by sleeping 150 ms before it retries: under 32 concurrent clients that sleep, taken several times
/// over, was the write path's p99. With one writer nothing in this process waits on the lock, and the fsync that
/// each commit costs is shared by every write queued meanwhile.
/// </remarks>
internal sealed class SqliteWriter : IDisposable
{
    // A bound on one group, so that the first caller of a long queue does not wait for the whole of it.
    private const int MaxGroupSize = 256;

    private readonly Func<CancellationToken, Task<SqliteConnection>> _open;
    private readonly Channel<WriteOperation> _queue = Channel.CreateUnbounded<WriteOperation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread _thread;
    private SqliteConnection? _connection;

    /// <param name="open">Opens a connection with the store's pragmas; the writer calls it again after a failed group.</param>
    public SqliteWriter(Func<CancellationToken, Task<SqliteConnection>> open)
    {
        _open = open;
        _thread = new Thread(Run) { IsBackground = true, Name = "Tessera SQLite writer" };
        _thread.Start();
    }

    /// <summary>
    /// Runs <paramref name="write"/> in the next group and answers once that group's commit is on disk. The write
    /// gets the group's transaction and must neither commit nor roll it back. <paramref name="cancellationToken"/>
    /// withdraws the write only while it waits in the queue; once its group has begun, it runs to the end and
    /// the caller still waits for the commit. Throws what <paramref name="write"/> threw (its changes undone), or
    /// what the group's commit threw (nothing of the group kept).
    /// </summary>
    public Task<T> RunAsync<T>(Func<SqliteConnection, SqliteTransaction, CancellationToken, Task<T>> write, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var operation = new WriteOperation<T>(write, cancellationToken);
        if (!_queue.Writer.TryWrite(operation))
        {
            throw new ObjectDisposedException(nameof(SqliteWriter), "The metadata store is shutting down.");
        }

        return operation.Answer;
    }

    /// <summary>Lets the queued writes finish, then closes the connection.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _thread.Join();
    }

    private void Run()
    {
        var group = new List<WriteOperation>(MaxGroupSize);
        while (WaitForWrites())
        {
            group.Clear();
            while (group.Count < MaxGroupSize && _queue.Reader.TryRead(out var operation))
            {
                if (!operation.TryWithdrawIfCancelled())
                {
                    group.Add(operation);
                }
            }

            if (group.Count > 0)
            {
                CommitGroup(group);
            }
        }

        _connection?.Dispose();
    }

    private bool WaitForWrites()
    {
        var waiting = _queue.Reader.WaitToReadAsync(CancellationToken.None);
        // Blocking is the point: this thread exists only to write.
        return waiting.IsCompleted ? waiting.Result : waiting.AsTask().GetAwaiter().GetResult();
    }

    private void CommitGroup(List<WriteOperation> group)
    {
        try
        {
            // Microsoft.Data.Sqlite's asynchronous calls complete synchronously, so these waits do not block on I/O elsewhere.
            _connection ??= _open(CancellationToken.None).GetAwaiter().GetResult();
            using var transaction = _connection.BeginTransaction(deferred: false);
            foreach (var operation in group)
            {
                transaction.Save("write");
                if (operation.Execute(_connection, transaction))
                {
                    transaction.Release("write");
                }
                else
                {
                    transaction.Rollback("write");
                    transaction.Release("write");
                }
            }

            transaction.Commit();
        }
        catch (Exception exception)
        {
            // BEGIN, a rollback to a savepoint or COMMIT failed (a full disk, an I/O error): nothing of the group
            // is kept, so every caller hears of it. The next group starts on a fresh connection.
            _connection?.Dispose();
            _connection = null;
            foreach (var operation in group)
            {
                operation.Fail(exception);
            }

            return;
        }

        foreach (var operation in group)
        {
            operation.Publish();
        }
    }

    private abstract class WriteOperation
    {
        /// <summary>Runs the write; false when it threw (the caller then rolls back to its savepoint).</summary>
        public abstract bool Execute(SqliteConnection connection, SqliteTransaction transaction);

        /// <summary>Answers the caller with the write's result or its own exception, once the group is committed.</summary>
        public abstract void Publish();

        public abstract void Fail(Exception exception);

        /// <summary>Answers a caller that gave up while its write was still queued; true when it did.</summary>
        public abstract bool TryWithdrawIfCancelled();
    }

    private sealed class WriteOperation<T>(Func<SqliteConnection, SqliteTransaction, CancellationToken, Task<T>> write, CancellationToken cancellationToken)
        : WriteOperation
    {
        private readonly TaskCompletionSource<T> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private Exception? _exception;

        public Task<T> Answer => _answer.Task;

        public override bool Execute(SqliteConnection connection, SqliteTransaction transaction)
        {
            try
            {
                // Not the caller's token: a write that has begun is not torn by the caller going away.
                _result = write(connection, transaction, CancellationToken.None).GetAwaiter().GetResult();
                return true;
            }
            catch (Exception exception)
            {
                _exception = exception;
                return false;
            }
        }

        public override void Publish()
        {
            if (_exception is null)
            {
                _answer.TrySetResult(_result!);
            }
            else
            {
                _answer.TrySetException(_exception);
            }
        }

        public override void Fail(Exception exception) => _answer.TrySetException(exception);

        public override bool TryWithdrawIfCancelled() => cancellationToken.IsCancellationRequested && _answer.TrySetCanceled(cancellationToken);
    }
}
