using System.Collections.Concurrent;

namespace Tessera.Storage.FileSystem;

/// <summary>
/// Threads of their own for the calls that wait for the disk (fsync of a blob, of a directory). On thread-pool threads,
/// a burst of small parts each blocked a pool thread for a disk flush, and the pool that also serves every other
/// request had to grow before anything else ran (docs/benchmarks.md). Here the callers await instead, and the flushes
/// reach the kernel side by side, where the file system commits concurrent flushes together. Threads start when
/// the work needs them, up to <see cref="MaxThreads"/>, and stay for the life of the process.
/// </summary>
internal sealed class FlushThreads
{
    /// <summary>How many flushes may wait for the disk at once; more wait in the queue for a thread.</summary>
    public const int MaxThreads = 32;

    private readonly BlockingCollection<(Action Flush, TaskCompletionSource Done)> _queue = [];
    private readonly Lock _lock = new();
    private int _threads;
    private int _idle;
    private int _queued;

    private FlushThreads()
    {
    }

    /// <summary>The process's one set: flushes of every store share them.</summary>
    public static FlushThreads Shared { get; } = new();

    /// <summary>
    /// Runs <paramref name="flush"/> on a flush thread; the task ends when it has, and fails as it did. Once queued, a
    /// flush runs to its end and is waited for (it may be using a handle the caller would close on cancellation):
    /// <paramref name="cancellationToken"/> only stops one from being queued.
    /// </summary>
    public Task RunAsync(Action flush, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var addThread = false;
        lock (_lock)
        {
            // A flush waits for a thread only when every thread is already flushing and no more may start.
            _queued++;
            if (_queued > _idle && _threads < MaxThreads)
            {
                _threads++;
                _idle++;
                addThread = true;
            }
        }

        _queue.Add((flush, done), CancellationToken.None);
        if (addThread)
        {
            new Thread(Work) { IsBackground = true, Name = "Tessera flush" }.Start();
        }

        return done.Task;
    }

    private void Work()
    {
        foreach (var (flush, done) in _queue.GetConsumingEnumerable())
        {
            lock (_lock)
            {
                _queued--;
                _idle--;
            }

            try
            {
                flush();
                done.SetResult();
            }
            catch (Exception exception)
            {
                done.SetException(exception);
            }

            lock (_lock)
            {
                _idle++;
            }
        }
    }
}
