namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// Waits for what the server finishes in the background after its answer: a sweeper freeing blobs, a failed write
/// cleaning up its temporary file. The bound is generous, since a busy machine is slow, and never a speed asserted.
/// </summary>
internal static class Eventually
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public static Task HoldsAsync(Func<bool> condition, string what) => HoldsAsync(() => Task.FromResult(condition()), what);

    /// <summary>Waits until <paramref name="condition"/> holds, for <paramref name="bound"/> (10 s unless given: a file polled every few seconds needs more).</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? bound = null)
    {
        var deadline = DateTime.UtcNow + (bound ?? Bound);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {(bound ?? Bound).TotalSeconds:0} s: {what}.");
            }

            await Task.Delay(50);
        }
    }
}
