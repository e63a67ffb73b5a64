using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>
/// When the File made from an upload (or sent to <c>POST /files</c>) expires: <c>seconds</c> after its
/// creation. OpenAI accepts 3600 to 2,592,000 seconds.
/// </summary>
public sealed record ExpiresAfter
{
    /// <summary>The only anchor OpenAI defines.</summary>
    public const string CreatedAtAnchor = "created_at";

    [JsonPropertyName("anchor")]
    public string Anchor { get; init; } = CreatedAtAnchor;

    [JsonPropertyName("seconds")]
    public long Seconds { get; init; }
}
