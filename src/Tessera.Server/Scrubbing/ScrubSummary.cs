namespace Tessera.Server.Scrubbing;

/// <summary>
/// What one scrub round found: blobs read and compared with their recorded CRC32C and the bytes read; of those, the
/// damaged ones; blobs skipped for having no recorded checksum; and recorded blobs missing from the blob store.
/// </summary>
public sealed record ScrubSummary(long Checked, long Bytes, long Damaged, long Unchecked, long Missing)
{
    public static readonly ScrubSummary None = new(0, 0, 0, 0, 0);

    /// <summary>Whether stored data needs an operator: a blob damaged or missing.</summary>
    public bool FoundDamage => Damaged > 0 || Missing > 0;
}
