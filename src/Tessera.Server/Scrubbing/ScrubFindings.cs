namespace Tessera.Server.Scrubbing;

/// <summary>
/// How many damaged blobs the last round this node ran found, kept for <c>/healthz</c> so damage is counted where
/// operators look; which blobs goes to the log only.
/// </summary>
public sealed class ScrubFindings
{
    private long _damaged;

    /// <summary>Damaged blobs found by the last round this node finished; 0 before its first.</summary>
    public long LastDamaged => Interlocked.Read(ref _damaged);

    internal void Record(ScrubSummary summary) => Interlocked.Exchange(ref _damaged, summary.Damaged);
}
