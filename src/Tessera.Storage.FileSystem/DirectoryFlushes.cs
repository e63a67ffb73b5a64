using System.Collections.Concurrent;

namespace Tessera.Storage.FileSystem;

/// <summary>
/// Group flushes of directories: at most one fsync of a directory runs at a time, and every caller that asks while it
/// runs shares the next one. A rename is made durable by any fsync of its directory that starts after it, so a caller
/// is answered only by a flush that began after it asked; renames that arrive together cost one fsync.
/// </summary>
internal sealed class DirectoryFlushes
{
    private readonly ConcurrentDictionary<string, GroupFlush> _byDirectory = new(StringComparer.Ordinal);

    /// <summary>
    /// Ends once an fsync of <paramref name="directory"/> that started after this call has ended; fails as it failed
    /// (every caller it covered fails alike).
    /// </summary>
    public Task FlushAsync(string directory, CancellationToken cancellationToken) =>
        _byDirectory.GetOrAdd(directory, static path => new GroupFlush(path)).FlushAsync(cancellationToken);

    private sealed class GroupFlush(string directory)
    {
        private readonly Lock _lock = new();

        // The callers waiting for a flush that has not started yet; null when there are none.
        private TaskCompletionSource? _next;
        private bool _running;

        public Task FlushAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Task waitFor;
            bool start;
            lock (_lock)
            {
                _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                waitFor = _next.Task;
                start = !_running;
                _running = true;
            }

            if (start)
            {
                _ = RunAsync();
            }

            return waitFor;
        }

        /// <summary>
        /// Flushes for whoever is waiting, again and again, until no one is. It takes no token: each flush serves
        /// several callers, and none of them may cut it short for the others.
        /// </summary>
        private async Task RunAsync()
        {
            while (true)
            {
                TaskCompletionSource? callers;
                lock (_lock)
                {
                    callers = _next;
                    _next = null;
                    if (callers is null)
                    {
                        _running = false;
                        return;
                    }
                }

                try
                {
                    await FlushThreads.Shared.RunAsync(() => DirectorySync.Flush(directory), CancellationToken.None);
                    callers.SetResult();
                }
                catch (Exception exception)
                {
                    callers.SetException(exception);
                }
            }
        }
    }
}
