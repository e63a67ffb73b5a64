using Tessera.Storage.S3;

namespace Tessera.Server.Hosting;

/// <summary>The <c>Tessera:Metadata</c> section: which store keeps uploads, parts and files.</summary>
public sealed class MetadataStoreOptions
{
    /// <summary><c>Sqlite</c> (the default: <c>tessera.db</c> in the data folder) or <c>Postgres</c>; see <see cref="StorageRegistration"/>.</summary>
    public string Provider { get; set; } = StorageRegistration.SqliteMetadata;

    /// <summary>The connection string of a database server; not used by SQLite, whose file is in the data folder.</summary>
    public string? ConnectionString { get; set; }
}

/// <summary>The <c>Tessera:Blobs</c> section: which store keeps the bytes.</summary>
public sealed class BlobStoreOptions
{
    /// <summary><c>Folder</c> (the default: <c>blobs/</c> in the data folder) or <c>S3</c>; see <see cref="StorageRegistration"/>.</summary>
    public string Provider { get; set; } = StorageRegistration.FolderBlobs;

    /// <summary>Used with an S3-compatible object store.</summary>
    public S3BlobSettings S3 { get; set; } = new();
}

/// <summary>The <c>Tessera:Blobs:S3</c> section, used with the S3 provider.</summary>
public sealed class S3BlobSettings
{
    /// <summary>The endpoint of an S3-compatible service; none means AWS's endpoint for <see cref="Region"/>.</summary>
    public string? ServiceUrl { get; set; }

    public string? Region { get; set; }

    public string? Bucket { get; set; }

    /// <summary>Prepended to every object key, so several deployments can share a bucket.</summary>
    public string? Prefix { get; set; }

    /// <summary>Addresses the bucket in the path rather than the host name (most self-hosted services need it).</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>With <see cref="SecretKey"/>; none means the SDK's usual sources (environment, instance profile).</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>How long one request to the store may take before it counts as failed (seconds).</summary>
    public int RequestTimeoutSeconds { get; set; } = 10;

    /// <summary>How long opening a connection to the store may take (seconds).</summary>
    public int ConnectTimeoutSeconds { get; set; } = 3;

    /// <summary>How many times the SDK retries a failed request before the store counts as unavailable.</summary>
    public int MaxErrorRetry { get; set; } = 2;

    /// <summary>The store's options from these settings; an unset region is us-east-1, which suits most S3-compatible stores.</summary>
    public S3BlobOptions ToStoreOptions(S3BlobOptions? into = null)
    {
        into ??= new S3BlobOptions();
        into.ServiceUrl = string.IsNullOrWhiteSpace(ServiceUrl) ? null : ServiceUrl;
        into.Region = string.IsNullOrWhiteSpace(Region) ? into.Region : Region;
        into.Bucket = Bucket ?? "";
        into.Prefix = Prefix ?? "";
        into.ForcePathStyle = ForcePathStyle;
        into.AccessKey = AccessKey;
        into.SecretKey = SecretKey;
        into.RequestTimeout = TimeSpan.FromSeconds(RequestTimeoutSeconds);
        into.ConnectTimeout = TimeSpan.FromSeconds(ConnectTimeoutSeconds);
        into.MaxErrorRetry = MaxErrorRetry;
        return into;
    }
}
