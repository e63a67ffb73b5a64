namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// Waits for what the server finishes in the background after its answer: a sweeper freeing blobs, a failed write
/// cleaning up its temporary file. The bound is generous, since a busy machine is slow, and never a speed asserted.
/// </summary>
internal static class Eventually
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public static Task HoldsAsync(Func<bool> condition, string what) => HoldsAsync(() => Task.FromResult(condition()), what);

    public static async Task HoldsAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {Bound.TotalSeconds:0} s: {what}.");
            }

            await Task.Delay(50);
        }
    }
}
