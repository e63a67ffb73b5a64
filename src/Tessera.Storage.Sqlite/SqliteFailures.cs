using Microsoft.Data.Sqlite;

namespace Tessera.Storage.Sqlite;

/// <summary>
/// Turns SQLite's failures of the database file into the contract's exceptions, so that the host never sees a
/// <see cref="SqliteException"/>. A failure that says the schema or a statement is wrong is a bug and stays as it is.
/// </summary>
internal static class SqliteFailures
{
    // Primary result codes (https://sqlite.org/rescode.html); extended codes carry them in their low byte.
    private const int Busy = 5;
    private const int ReadOnly = 8;
    private const int IoError = 10;
    private const int Full = 13;
    private const int CannotOpen = 14;

    /// <summary>The contract's exception for <paramref name="exception"/>, or null when it is not a failure of the store.</summary>
    public static StorageException? Translate(Exception exception) => exception switch
    {
        SqliteException sqlite => (sqlite.SqliteErrorCode & 0xFF) switch
        {
            Full => new StorageFullException($"The metadata database has no room left: {sqlite.Message}", sqlite),
            Busy or ReadOnly or IoError or CannotOpen => Unavailable(sqlite),
            _ => null,
        },
        // The folder of the database could not be made or reached.
        IOException or UnauthorizedAccessException => Unavailable(exception),
        // A request that arrives while the store shuts down.
        ObjectDisposedException => Unavailable(exception),
        _ => null,
    };

    private static StoreUnavailableException Unavailable(Exception exception) =>
        new(StoreKind.Metadata, $"The metadata database cannot be used: {exception.Message}", exception);
}
