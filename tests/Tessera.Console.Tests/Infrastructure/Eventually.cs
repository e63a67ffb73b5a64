namespace Tessera.Console.Tests.Infrastructure;

/// <summary>
/// Waits for what happens after a click: the page's next request, the server's background work. The bound is
/// generous, since a busy machine is slow, and never a speed asserted.
/// </summary>
internal static class Eventually
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public static Task HoldsAsync(Func<bool> condition, string what) => HoldsAsync(() => Task.FromResult(condition()), what);

    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? bound = null)
    {
        var deadline = DateTime.UtcNow + (bound ?? Bound);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {(bound ?? Bound).TotalSeconds:0} s: {what}.");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
