namespace Tessera.Server.Http;

/// <summary>A project's limits on this node, its own where set and else every project's; null is unlimited.</summary>
public sealed record ProjectRateLimits(int? RequestsPerSecond, int? ConcurrentParts);
