namespace Tessera.Client;

/// <summary>Where a chunked upload stands.</summary>
/// <param name="UploadId">The upload being filled.</param>
/// <param name="TotalBytes">The file's size.</param>
/// <param name="BytesSent">Bytes sent in this run, including parts still in flight (a retried part counts once).</param>
/// <param name="BytesReused">Bytes the server already held from an earlier, interrupted run, not sent again.</param>
/// <param name="PartsDone">Parts acknowledged or reused.</param>
/// <param name="PartsTotal">Parts in the whole file.</param>
public sealed record UploadProgress(string UploadId, long TotalBytes, long BytesSent, long BytesReused, int PartsDone, int PartsTotal)
{
    /// <summary>Bytes the server holds or is receiving, of <see cref="TotalBytes"/>.</summary>
    public long BytesDone => BytesSent + BytesReused;
}
