namespace Tessera.Client;

/// <summary>The query of <c>GET /files</c>; every field left null is not sent (the server's default applies).</summary>
public sealed record FileListOptions
{
    /// <summary>Only files of this purpose.</summary>
    public string? Purpose { get; init; }

    /// <summary>Files per page (1..10,000 on Tessera).</summary>
    public int? Limit { get; init; }

    /// <summary><c>asc</c> or <c>desc</c> by <c>created_at</c>.</summary>
    public string? Order { get; init; }

    /// <summary>A file id: the page starts after it.</summary>
    public string? After { get; init; }
}
