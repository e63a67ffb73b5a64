namespace Tessera.Client;

/// <summary>The query of <c>GET /uploads</c>; every field left null is not sent (the server's default applies).</summary>
public sealed record UploadListOptions
{
    /// <summary>Uploads per page (1..10,000 on Tessera).</summary>
    public int? Limit { get; init; }

    /// <summary><c>asc</c> or <c>desc</c> by <c>created_at</c>.</summary>
    public string? Order { get; init; }

    /// <summary>An upload id: the page starts after it.</summary>
    public string? After { get; init; }
}
