namespace Tessera.Cli.Progress;

/// <summary>
/// How far a transfer is: <paramref name="done"/> bytes of the total are there, <paramref name="skipped"/> of them
/// without being sent in this run (parts an earlier run sent, a partial download's bytes), so they count toward
/// progress but never toward the rate.
/// </summary>
internal delegate void TransferReport(long done, long skipped);
