namespace Tessera.Testing;

/// <summary>
/// Waits for what happens after an answer or a click: the server's background work (a sweeper freeing blobs, a failed
/// write cleaning up), a page's next request. The bound is generous, since a busy machine is slow, and never a speed
/// asserted.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public static Task HoldsAsync(Func<bool> condition, string what) => HoldsAsync(() => Task.FromResult(condition()), what);

    /// <summary>Waits until <paramref name="condition"/> holds, for <paramref name="bound"/> (30 s unless given), and throws saying <paramref name="what"/> did not.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? bound = null)
    {
        var deadline = DateTime.UtcNow + (bound ?? Bound);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {(bound ?? Bound).TotalSeconds:0} s: {what}.");
            }

            await Task.Delay(50);
        }
    }
}
