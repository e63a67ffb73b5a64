namespace Tessera.Domain;

/// <summary>
/// The preconditions of the Uploads API as small named checks, each throwing the one error it implies. Handlers call
/// them in the order docs/api.md section 3 gives, so the first failure wins.
/// </summary>
public static class UploadRequirements
{
    /// <summary>Returns the upload, or 404 when there is none in the caller's project.</summary>
    public static Upload UploadExists(Upload? upload, string uploadId) => upload ?? throw ApiErrors.NoSuchUpload(uploadId);

    /// <summary>Parts may be added to a pending upload only (docs/api.md section 4, row "add part").</summary>
    public static void UploadAcceptsParts(Upload upload, long now)
    {
        var status = upload.StatusAt(now);
        if (status != UploadStatus.Pending)
        {
            throw ApiErrors.StateConflict(
                $"Upload {upload.Id} is {status.ToWireName()}; parts can be added only while it is pending.");
        }
    }

    /// <summary>
    /// A pending upload may be completed; a completed one only again with the same <c>part_ids</c> (a retry after a
    /// lost answer). Returns true when the request is such a retry and should be answered with the upload as it is.
    /// </summary>
    public static bool UploadCanComplete(Upload upload, IReadOnlyList<string> partIds, long now)
    {
        var status = upload.StatusAt(now);
        switch (status)
        {
            case UploadStatus.Pending:
                return false;
            case UploadStatus.Completed when upload.CompletedPartIds is { } done && done.SequenceEqual(partIds, StringComparer.Ordinal):
                return true;
            case UploadStatus.Completed:
                throw ApiErrors.StateConflict(
                    $"Upload {upload.Id} is already completed with other part_ids; a retry must repeat the same part_ids.");
            default:
                throw ApiErrors.StateConflict(
                    $"Upload {upload.Id} is {status.ToWireName()}; only a pending upload can be completed.");
        }
    }

    /// <summary>
    /// A pending upload may be cancelled, and a cancelled one again (a retry). Returns true when the request is such a
    /// retry and should be answered with the upload as it is.
    /// </summary>
    public static bool UploadCanCancel(Upload upload, long now)
    {
        var status = upload.StatusAt(now);
        return status switch
        {
            UploadStatus.Pending => false,
            UploadStatus.Cancelled => true,
            _ => throw ApiErrors.StateConflict(
                $"Upload {upload.Id} is {status.ToWireName()}; only a pending upload can be cancelled."),
        };
    }

    /// <summary>
    /// <c>part_ids</c> names parts of this upload, none twice; returns them in the order given (docs/api.md section 3, check 3).
    /// </summary>
    public static IReadOnlyList<UploadPart> PartIdsNameThisUploadsParts(IReadOnlyList<string> partIds, IReadOnlyList<UploadPart> storedParts)
    {
        var byId = storedParts.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ordered = new List<UploadPart>(partIds.Count);
        foreach (var partId in partIds)
        {
            if (!seen.Add(partId))
            {
                throw ApiErrors.InvalidField("part_ids", $"Part {Shorten(partId)} is listed more than once in part_ids.");
            }

            if (!byId.TryGetValue(partId, out var part))
            {
                throw ApiErrors.InvalidField("part_ids", $"Part {Shorten(partId)} is not a part of this upload.");
            }

            ordered.Add(part);
        }

        return ordered;
    }

    /// <summary>The listed parts add up to the declared size (docs/api.md section 3, check 4).</summary>
    public static void PartsAddUpToDeclaredBytes(Upload upload, IReadOnlyList<UploadPart> listedParts)
    {
        var total = listedParts.Sum(p => p.Bytes);
        if (total != upload.Bytes)
        {
            throw ApiErrors.InvalidField("part_ids", $"The parts listed in part_ids add up to the wrong size: expected {upload.Bytes} bytes, got {total}.");
        }
    }

    /// <summary>The assembled bytes have the MD5 the client gave (docs/api.md section 3, check 5).</summary>
    public static void Md5Matches(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        if (!expected.SequenceEqual(actual))
        {
            throw ApiErrors.InvalidField("md5",
                $"The md5 given does not match the uploaded bytes: their MD5 is {Convert.ToHexStringLower(actual)}.");
        }
    }

    /// <summary>The part stays within its size limit; the upload's stored parts within theirs.</summary>
    public static void PartFitsUpload(long storedBytes, long partBytes, TesseraLimits limits)
    {
        if (storedBytes + partBytes > limits.MaxUploadBytes)
        {
            throw ApiErrors.InvalidField("data",
                $"This part would bring the upload's stored parts to {storedBytes + partBytes} bytes, over the limit of {limits.MaxUploadBytes} bytes.");
        }
    }

    private static string Shorten(string value) => value.Length <= 64 ? $"'{value}'" : $"'{value[..64]}...'";
}
