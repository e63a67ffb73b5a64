namespace Tessera.Server.Reclaiming;

/// <summary>
/// What the last reconciliation found: how many records (parts, files' content) name a blob that is not in the blob
/// store. Kept for <c>/healthz</c>, so damaged data is counted where operators look; the keys go to the log only.
/// </summary>
public sealed class MissingBlobs
{
    /// <summary>How many of their keys the reconciliation's log line names.</summary>
    public const int Logged = 10;

    private volatile int _last;

    /// <summary>How many records lacked their blob at the last reconciliation.</summary>
    public int Last => _last;

    internal void Record(IReadOnlyCollection<string> missing) => _last = missing.Count;
}
