namespace Tessera.Domain;

/// <summary>
/// What a project holds: the bytes of every stored part (of a pending upload) and of every file, a part that became a
/// file's segment counted once; its files; its pending uploads. Also a change to those counts, as a write asks for it.
/// </summary>
public sealed record ProjectUsage(long Bytes, long Files, long PendingUploads)
{
    public static ProjectUsage None { get; } = new(0, 0, 0);

    public long UsedOf(QuotaKind kind) => kind switch
    {
        QuotaKind.Bytes => Bytes,
        QuotaKind.Files => Files,
        _ => PendingUploads,
    };
}
