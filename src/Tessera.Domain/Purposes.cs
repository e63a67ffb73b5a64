namespace Tessera.Domain;

/// <summary>The purposes a client may give an upload or a file, and those a listing may filter on.</summary>
public static class Purposes
{
    /// <summary>What <c>POST /uploads</c> and <c>POST /files</c> accept (docs/api.md section 3).</summary>
    public static readonly IReadOnlyList<string> Accepted =
        ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"];

    /// <summary>Every purpose a stored file can have, including OpenAI's output purposes, which a listing may filter on.</summary>
    public static readonly IReadOnlyList<string> Listable =
        [.. Accepted, "assistants_output", "batch_output", "fine-tune-results"];

    public static bool IsAccepted(string purpose) => Accepted.Contains(purpose, StringComparer.Ordinal);

    public static bool IsListable(string purpose) => Listable.Contains(purpose, StringComparer.Ordinal);

    /// <summary>
    /// OpenAI's rendering of an enumeration, as in <c>'x' is not one of ['a', 'b'] - 'purpose'</c>; a long value is
    /// cut short, so that a megabyte sent is not a megabyte echoed.
    /// </summary>
    public static string NotOneOfMessage(string value, IReadOnlyList<string> allowed, string param) =>
        $"'{(value.Length <= 64 ? value : value[..64] + "...")}' is not one of [{string.Join(", ", allowed.Select(a => $"'{a}'"))}] - '{param}'";
}
