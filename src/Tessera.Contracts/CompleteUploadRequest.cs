using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>The body of <c>POST /uploads/{id}/complete</c>.</summary>
public sealed record CompleteUploadRequest
{
    /// <summary>The parts that make the file, in order.</summary>
    [JsonPropertyName("part_ids")]
    public required IReadOnlyList<string> PartIds { get; init; }

    /// <summary>The MD5 of the whole file as hex (or base64 of the 16 bytes); absent from the body when null.</summary>
    [JsonPropertyName("md5")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Md5 { get; init; }
}
