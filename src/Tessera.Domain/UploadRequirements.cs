using System.Text;

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
        if (upload.StatusAt(now) != UploadStatus.Pending)
        {
            throw PartRefusedByState(upload, now);
        }
    }

    /// <summary>The 400 for a part sent to an upload that is no longer pending.</summary>
    public static TesseraException PartRefusedByState(Upload upload, long now) => ApiErrors.StateConflict(
        $"Upload {upload.Id} is {upload.StatusAt(now).ToWireName()}; parts can be added only while it is pending.");

    /// <summary>
    /// A cancelled or expired upload refuses a complete before its body is read; a completed one is judged once its
    /// <c>part_ids</c> are known, since the same ones make a retry.
    /// </summary>
    public static void UploadMayStillComplete(Upload upload, long now)
    {
        if (upload.StatusAt(now) is UploadStatus.Cancelled or UploadStatus.Expired && CompleteRefusal(upload, [], now) is { } refusal)
        {
            throw refusal;
        }
    }

    /// <summary>
    /// The state check of complete (docs/api.md section 4, row "complete"): false for a pending upload, which goes
    /// on to the other checks; true for a completed one whose <c>part_ids</c> are these (a retry after a lost
    /// answer, to be answered with the upload as it is); the 400 for any other state.
    /// </summary>
    public static bool IsRetriedCompletion(Upload upload, IReadOnlyList<string> partIds, long now) =>
        CompleteRefusal(upload, partIds, now) is { } refusal ? throw refusal : upload.StatusAt(now) == UploadStatus.Completed;

    /// <summary>
    /// Why the upload's state refuses a complete with these <c>part_ids</c>; null when it allows it (pending) or it
    /// is a retry of the complete that succeeded.
    /// </summary>
    public static TesseraException? CompleteRefusal(Upload upload, IReadOnlyList<string> partIds, long now)
    {
        var status = upload.StatusAt(now);
        return status switch
        {
            UploadStatus.Pending => null,
            UploadStatus.Completed when upload.CompletedPartIds is { } done && done.SequenceEqual(partIds, StringComparer.Ordinal) => null,
            UploadStatus.Completed => ApiErrors.StateConflict(
                $"Upload {upload.Id} is already completed with other part_ids; a retry must repeat the same part_ids."),
            _ => ApiErrors.StateConflict($"Upload {upload.Id} is {status.ToWireName()}; only a pending upload can be completed."),
        };
    }

    /// <summary>
    /// The state check of cancel (docs/api.md section 4, row "cancel"): false for a pending upload, to be cancelled;
    /// true for a cancelled one (a retry, to be answered with the upload as it is); the 400 for any other state.
    /// </summary>
    public static bool IsRetriedCancellation(Upload upload, long now) =>
        CancelRefusal(upload, now) is { } refusal ? throw refusal : upload.StatusAt(now) == UploadStatus.Cancelled;

    /// <summary>Why the upload's state refuses a cancel; null when it is pending or already cancelled (a retry).</summary>
    public static TesseraException? CancelRefusal(Upload upload, long now)
    {
        var status = upload.StatusAt(now);
        return status is UploadStatus.Pending or UploadStatus.Cancelled
            ? null
            : ApiErrors.StateConflict($"Upload {upload.Id} is {status.ToWireName()}; only a pending upload can be cancelled.");
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

    /// <summary>
    /// A text a client gives (a file name, a MIME type, a purpose) holds at most <paramref name="maxBytes"/> bytes of
    /// UTF-8 (docs/api.md section 7); <paramref name="what"/> names it in the refusal.
    /// </summary>
    public static void TextFitsLimit(string value, string param, int maxBytes, string what = "string")
    {
        var bytes = Encoding.UTF8.GetByteCount(value);
        if (bytes > maxBytes)
        {
            throw ApiErrors.TextTooLong(param, what, maxBytes, bytes);
        }
    }

    /// <summary><c>complete</c> names no more parts than an upload may have.</summary>
    public static void PartIdsWithinPartLimit(IReadOnlyList<string> partIds, TesseraLimits limits)
    {
        if (partIds.Count > limits.MaxPartsPerUpload)
        {
            throw ApiErrors.TooManyParts("part_ids", limits.MaxPartsPerUpload, $"part_ids names {partIds.Count}");
        }
    }

    /// <summary>The 400 for a part sent to an upload that already has as many parts as it may.</summary>
    public static TesseraException PartsOverLimit(TesseraLimits limits) =>
        ApiErrors.TooManyParts("data", limits.MaxPartsPerUpload, "this one already has that many, so this part was not kept");

    /// <summary>The upload's stored parts stay within their limit with this part.</summary>
    public static void PartFitsUpload(long storedBytes, long partBytes, TesseraLimits limits)
    {
        if (storedBytes + partBytes > limits.MaxUploadBytes)
        {
            throw StoredPartsOverLimit(storedBytes, partBytes, limits);
        }
    }

    /// <summary>The 400 for a part that would bring the upload's stored parts over their limit.</summary>
    public static TesseraException StoredPartsOverLimit(long storedBytes, long partBytes, TesseraLimits limits) => ApiErrors.InvalidField("data",
        $"This part would bring the upload's stored parts to {storedBytes + partBytes} bytes, over the limit of {limits.MaxUploadBytes} bytes.");

    private static string Shorten(string value) => value.Length <= 64 ? $"'{value}'" : $"'{value[..64]}...'";
}
