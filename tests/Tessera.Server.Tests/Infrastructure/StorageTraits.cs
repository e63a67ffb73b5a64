namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// Marks the tests that are about the embedded stores themselves (files on disk, SQLite's own locking), so a run on
/// other backends leaves them out: <c>--filter "Storage!=embedded"</c>. Every other test holds for any backends.
/// </summary>
public static class StorageTraits
{
    public const string Name = "Storage";

    /// <summary>Needs the folder blob store, the SQLite metadata store, or both: it looks at their files.</summary>
    public const string Embedded = "embedded";
}
