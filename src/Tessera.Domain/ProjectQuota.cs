namespace Tessera.Domain;

/// <summary>What a project may hold at most; a null limit is no limit. Every project's, open mode's <c>default</c> included.</summary>
public sealed record ProjectQuota(long? Bytes, long? Files, long? PendingUploads)
{
    /// <summary>No limit on anything.</summary>
    public static ProjectQuota Unlimited { get; } = new(null, null, null);

    /// <summary>The limit on <paramref name="kind"/>, or null when there is none.</summary>
    public long? LimitOf(QuotaKind kind) => kind switch
    {
        QuotaKind.Bytes => Bytes,
        QuotaKind.Files => Files,
        _ => PendingUploads,
    };
}
