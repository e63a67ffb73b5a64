namespace Tessera.Domain;

/// <summary>
/// The strict <c>mime_type</c> check, used only when <see cref="TesseraLimits.StrictMimeTypes"/> is on. By default
/// Tessera keeps whatever non-empty value a client sends, as the SDKs' own examples send values such as <c>"txt"</c>.
/// </summary>
public static class MimeTypes
{
    private static readonly string[] JsonLines = ["application/jsonl", "application/json", "text/jsonl", "application/x-ndjson", "text/plain"];

    private static readonly string[] Images = ["image/png", "image/jpeg", "image/gif", "image/webp"];

    /// <summary>The MIME types a purpose accepts in strict mode; null when any well-formed <c>type/subtype</c> will do.</summary>
    public static IReadOnlyList<string>? AllowedFor(string purpose) => purpose switch
    {
        "batch" or "fine-tune" or "evals" => JsonLines,
        "vision" => Images,
        _ => null,
    };

    public static bool IsWellFormed(string mimeType)
    {
        var slash = mimeType.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < mimeType.Length - 1 && !mimeType.Any(char.IsWhiteSpace);
    }

    /// <summary>Whether <paramref name="mimeType"/> suits <paramref name="purpose"/> in strict mode (parameters such as <c>; charset=</c> are ignored).</summary>
    public static bool SuitsPurpose(string mimeType, string purpose)
    {
        var bare = mimeType.Split(';', 2)[0].Trim().ToLowerInvariant();
        var allowed = AllowedFor(purpose);
        return allowed is null ? IsWellFormed(bare) : allowed.Contains(bare, StringComparer.Ordinal);
    }
}
