namespace Tessera.Domain;

/// <summary>
/// Why a write was refused for the project's quota: it asked for <see cref="Asked"/> more of <see cref="Kind"/>, and
/// the project used <see cref="Used"/> of its <see cref="Limit"/>. Nothing of the write was kept.
/// </summary>
public sealed record QuotaRefusal(QuotaKind Kind, long Asked, long Used, long Limit)
{
    /// <summary>How much of <see cref="Kind"/> the project may still add; never negative (a lowered limit may be passed).</summary>
    public long Left => Math.Max(0, Limit - Used);

    /// <summary>
    /// The first of <paramref name="quota"/>'s limits that adding <paramref name="asked"/> to <paramref name="usage"/>
    /// would pass, or null when all fit. A kind that is not asked for (zero or less) never refuses.
    /// </summary>
    public static QuotaRefusal? Check(ProjectQuota quota, ProjectUsage usage, ProjectUsage asked)
    {
        foreach (var kind in Enum.GetValues<QuotaKind>())
        {
            var more = asked.UsedOf(kind);
            if (more > 0 && quota.LimitOf(kind) is { } limit && usage.UsedOf(kind) + more > limit)
            {
                return new QuotaRefusal(kind, more, usage.UsedOf(kind), limit);
            }
        }

        return null;
    }
}
