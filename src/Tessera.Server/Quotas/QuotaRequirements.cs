using Tessera.Domain;
using Tessera.Server.Http;

namespace Tessera.Server.Quotas;

/// <summary>
/// The checks a request makes against its project's quota before it reads a body, so that a part or file that cannot
/// fit is refused before its bytes are sent. The store checks again, exactly, when it records what was written.
/// </summary>
internal static class QuotaRequirements
{
    /// <summary>
    /// How many bytes of part the project's bytes quota leaves room for; refuses a part before its body is read when
    /// none is left, or when the request's length says the part cannot fit (its form may add up to
    /// <see cref="BodyLimits.FormOverheadBytes"/> around the part's bytes).
    /// </summary>
    public static long PartFitsQuota(string project, ProjectQuota quota, ProjectUsage usage, long? contentLength)
    {
        var left = Math.Max(0, quota.Bytes!.Value - usage.Bytes);
        if (left == 0 || contentLength - BodyLimits.FormOverheadBytes > left)
        {
            throw PartOverQuota(project, quota, left, contentLength);
        }

        return left;
    }

    /// <summary>The refusal of a part found too large for the quota before it was stored: its request's length is all that is known of it.</summary>
    public static TesseraException PartOverQuota(string project, ProjectQuota quota, long left, long? contentLength) =>
        OverBytesQuota(project, quota, left, contentLength, "part");

    /// <summary>
    /// How many bytes of file the project's quota leaves room for (<see cref="long.MaxValue"/> under no bytes quota);
    /// refuses the file before its body is read when the project may have no more files, has no bytes left, or the
    /// request's length says the file cannot fit.
    /// </summary>
    public static long FileFitsQuota(string project, ProjectQuota quota, ProjectUsage usage, long? contentLength)
    {
        if (QuotaRefusal.Check(quota, usage, new ProjectUsage(0, 1, 0)) is { } refusal)
        {
            throw ApiErrors.QuotaExceeded(project, refusal, "Creating 1 more file");
        }

        if (quota.Bytes is not { } limit)
        {
            return long.MaxValue;
        }

        var left = Math.Max(0, limit - usage.Bytes);
        if (left == 0 || contentLength - BodyLimits.FormOverheadBytes > left)
        {
            throw FileOverQuota(project, quota, left, contentLength);
        }

        return left;
    }

    /// <summary>The refusal of a file found too large for the quota before it was stored.</summary>
    public static TesseraException FileOverQuota(string project, ProjectQuota quota, long left, long? contentLength) =>
        OverBytesQuota(project, quota, left, contentLength, "file");

    private static TesseraException OverBytesQuota(string project, ProjectQuota quota, long left, long? contentLength, string what)
    {
        var limit = quota.Bytes!.Value;
        var refusal = new QuotaRefusal(QuotaKind.Bytes, contentLength ?? left + 1, limit - left, limit);
        return ApiErrors.QuotaExceeded(project, refusal, contentLength is { } length
            ? $"This {what} of {ByteSize.Describe(length)}"
            : $"This {what} of more than {ByteSize.Describe(left)}");
    }
}
