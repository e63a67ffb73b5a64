using Microsoft.Extensions.Options;
using Tessera.Storage.FileSystem;
using Tessera.Storage.Postgres;
using Tessera.Storage.S3;
using Tessera.Storage.Sqlite;

namespace Tessera.Server.Hosting;

/// <summary>
/// Picks the metadata store and the blob store by configuration: the one place that knows the backends. Each
/// provider's case calls its project's <c>Add...</c> registration; nothing else in the host knows which it got.
/// </summary>
public static class StorageRegistration
{
    public const string MetadataProviderSetting = "Tessera:Metadata:Provider";
    public const string BlobsProviderSetting = "Tessera:Blobs:Provider";

    public const string SqliteMetadata = "Sqlite";
    public const string PostgresMetadata = "Postgres";
    public const string FolderBlobs = "Folder";
    public const string S3Blobs = "S3";

    public const string DatabaseFileName = "tessera.db";

    /// <summary>The values <c>Tessera:Metadata:Provider</c> accepts.</summary>
    public static readonly IReadOnlyList<string> MetadataProviders = [SqliteMetadata, PostgresMetadata];

    /// <summary>The values <c>Tessera:Blobs:Provider</c> accepts.</summary>
    public static readonly IReadOnlyList<string> BlobsProviders = [FolderBlobs, S3Blobs];

    /// <summary>Registers the two stores, and the data folder when an embedded store keeps its files there.</summary>
    /// <exception cref="StartupException">A provider is not one of the accepted values.</exception>
    public static void AddStores(IServiceCollection services, IConfiguration configuration)
    {
        var metadata = Accepted(MetadataProviderSetting, configuration[MetadataProviderSetting] ?? SqliteMetadata, MetadataProviders);
        var blobs = Accepted(BlobsProviderSetting, configuration[BlobsProviderSetting] ?? FolderBlobs, BlobsProviders);

        // A SQLite file belongs to one server, so SQLite locks the data folder. Folder blobs beside a shared database
        // may be a folder that several nodes see, so alone they create the folder without locking it.
        if (metadata == SqliteMetadata || blobs == FolderBlobs)
        {
            DataFolder.AddDataFolder(services, exclusive: metadata == SqliteMetadata);
        }

        switch (metadata)
        {
            case SqliteMetadata:
                services.AddSqliteMetadata((provider, options) => options.DatabasePath = Path.Combine(DataPath(provider), DatabaseFileName));
                break;
            case PostgresMetadata:
                services.AddPostgresMetadata((provider, options) =>
                    options.ConnectionString = provider.GetRequiredService<IOptions<TesseraOptions>>().Value.Metadata.ConnectionString ?? "");
                break;
        }

        switch (blobs)
        {
            case FolderBlobs:
                services.AddFolderBlobs((provider, options) =>
                {
                    options.RootPath = DataPath(provider);
                    options.WriteBufferBudgetBytes = (long)provider.GetRequiredService<IOptions<TesseraOptions>>().Value.WriteBufferBudgetMiB << 20;
                });
                break;
            case S3Blobs:
                services.AddS3Blobs((provider, options) =>
                    provider.GetRequiredService<IOptions<TesseraOptions>>().Value.Blobs.S3.ToStoreOptions(options));
                break;
        }
    }

    /// <summary>The accepted spelling of <paramref name="value"/> (any case), or a configuration error naming the setting.</summary>
    internal static string Accepted(string setting, string value, IReadOnlyList<string> accepted) =>
        accepted.FirstOrDefault(name => string.Equals(name, value.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new StartupException(StartupProblem.Configuration,
            $"{setting}: '{value}' is not a provider Tessera knows; use one of {string.Join(", ", accepted)}.");

    private static string DataPath(IServiceProvider services) => services.GetRequiredService<DataFolder>().FullPath;
}
