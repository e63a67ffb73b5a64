namespace Tessera.Server.Http;

/// <summary>
/// A request body that calls <c>onIdle</c> once when a read waits longer than the idle timeout for bytes. Only time
/// spent waiting on the client counts: while the server is busy with what it read (writing it to disk), the clock
/// is stopped. A read that finds bytes already received costs no timer at all.
/// </summary>
internal sealed class IdleTimeoutStream : ReadOnlyBodyStream
{
    private readonly Stream _inner;
    private readonly TimeSpan _idleTimeout;
    private readonly CancellationTokenSource _idle = new();
    private readonly CancellationTokenRegistration _onIdle;

    public IdleTimeoutStream(Stream inner, TimeSpan idleTimeout, Action onIdle)
    {
        _inner = inner;
        _idleTimeout = idleTimeout;
        _onIdle = _idle.Token.Register(onIdle);
    }

    /// <summary>True once a read has waited past the idle timeout (and <c>onIdle</c> has been called).</summary>
    public bool HasTimedOut => _idle.IsCancellationRequested;

    /// <summary>The body bytes read so far (the access line reports them).</summary>
    public long BytesRead { get; private set; }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = _inner.ReadAsync(buffer, cancellationToken);
        if (!read.IsCompletedSuccessfully)
        {
            return read.IsCompleted ? read : WaitForClientAsync(read);
        }

        // A ValueTask may be consumed once: the one read here is not handed on. One backed by a pooled source that
        // finished between the call and the check above would otherwise fail its caller's await.
        var count = read.Result;
        BytesRead += count;
        return new ValueTask<int>(count);
    }

    protected override void Dispose(bool disposing)
    {
        // The request's own body stream belongs to the server; only the timer is ours.
        if (disposing)
        {
            _onIdle.Dispose();
            _idle.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask<int> WaitForClientAsync(ValueTask<int> read)
    {
        _idle.CancelAfter(_idleTimeout);
        try
        {
            var count = await read;
            BytesRead += count;
            return count;
        }
        finally
        {
            _idle.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }
}
