namespace Tessera.Client;

/// <summary>
/// How far the reader has filled a part's buffer, for a send that starts before the part is read whole: the send
/// waits for each slice it is about to write, so reading the part and sending it overlap instead of taking turns.
/// </summary>
internal sealed class PartFill
{
    private readonly Lock _gate = new();
    private int _filled;
    private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Records that the first <paramref name="filled"/> bytes are in the buffer and wakes the sends waiting for them.</summary>
    public void Advance(int filled)
    {
        TaskCompletionSource advanced;
        lock (_gate)
        {
            _filled = filled;
            advanced = _advanced;
            _advanced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        advanced.TrySetResult();
    }

    /// <summary>Returns once the first <paramref name="count"/> bytes are in the buffer; a failed read cancels <paramref name="cancellationToken"/>.</summary>
    public async ValueTask WaitForAsync(int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task advanced;
            lock (_gate)
            {
                if (_filled >= count)
                {
                    return;
                }

                advanced = _advanced.Task;
            }

            await advanced.WaitAsync(cancellationToken);
        }
    }
}
