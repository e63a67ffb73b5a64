namespace Tessera.Client;

/// <summary>A <c>mime_type</c> for an upload from its file name, for the types OpenAI's purposes use; anything else is <c>application/octet-stream</c>.</summary>
internal static class MimeTypeGuess
{
    public static string FromFileName(string filename) => Path.GetExtension(filename).ToLowerInvariant() switch
    {
        ".jsonl" => "application/jsonl",
        ".json" => "application/json",
        ".txt" => "text/plain",
        ".md" => "text/markdown",
        ".csv" => "text/csv",
        ".html" => "text/html",
        ".pdf" => "application/pdf",
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".gif" => "image/gif",
        ".webp" => "image/webp",
        _ => "application/octet-stream",
    };
}
