namespace Tessera.Server.Apis;

/// <summary>
/// Lets a node build and send only so many list pages at once. A page of 10,000 files with 1,024-byte names is tens
/// of megabytes of objects while it is read and written out; without a bound, a few clients listing at once could take
/// the server's memory as far as they liked. Lists past the bound wait their turn; each takes a second or two at most.
/// </summary>
internal sealed class ListPageGate : IDisposable
{
    private const int PagesAtOnce = 2;

    private readonly SemaphoreSlim _slots = new(PagesAtOnce, PagesAtOnce);

    /// <summary>Waits for a slot; the page holds it until its answer is written (<see cref="Slot.Answer"/>).</summary>
    public async Task<Slot> EnterAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        return new Slot(_slots);
    }

    public void Dispose() => _slots.Dispose();

    /// <summary>A slot held by one page; released once, when the page's answer is written or its request fails.</summary>
    public sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        /// <summary>The page's answer, which writes <paramref name="result"/> and then frees the slot.</summary>
        public IResult Answer(IResult result) => new ReleasingResult(result, this);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }

    private sealed class ReleasingResult(IResult inner, Slot slot) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            using (slot)
            {
                await inner.ExecuteAsync(httpContext);
            }
        }
    }
}
