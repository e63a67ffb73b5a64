namespace Tessera.Server.Reclaiming;

/// <summary>
/// What the last reconciliation found: records (parts, files' content) whose blob is not in the blob store. Kept for
/// <c>/healthz</c>, so damaged data is reported where operators look, not only in one log line.
/// </summary>
public sealed class MissingBlobs
{
    /// <summary>How many keys <c>/healthz</c> shows.</summary>
    public const int Shown = 10;

    private volatile Snapshot _last = new(0, []);

    public Snapshot Last => _last;

    internal void Record(IReadOnlyCollection<string> missing) =>
        _last = new Snapshot(missing.Count, [.. missing.Order(StringComparer.Ordinal).Take(Shown)]);

    /// <param name="Count">How many records lack their blob.</param>
    /// <param name="Examples">Some of their blob keys.</param>
    public sealed record Snapshot(int Count, IReadOnlyList<string> Examples);
}
