using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>The answer to <c>GET /project/usage</c>, Tessera's extension: what the caller's project holds and may hold.</summary>
public sealed record ProjectUsageObject
{
    [JsonPropertyName("object")]
    public string Object { get; init; } = "project.usage";

    /// <summary>The project of the API key that asked.</summary>
    [JsonPropertyName("project")]
    public string Project { get; init; } = "";

    [JsonPropertyName("usage")]
    public ProjectUsageCounts Usage { get; init; } = new();

    [JsonPropertyName("limits")]
    public ProjectUsageLimits Limits { get; init; } = new();
}
