namespace Tessera.Storage.Sqlite;

/// <summary>Settings of the embedded metadata store.</summary>
public sealed class SqliteMetadataOptions
{
    /// <summary>The database file; created with its folder when missing. Required.</summary>
    public string DatabasePath { get; set; } = "";
}
