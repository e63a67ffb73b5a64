namespace Tessera.Storage.S3;

/// <summary>
/// Where the S3 blob store keeps its blobs (settings <c>Tessera:Blobs:S3:*</c>). Each blob is the object
/// <c>{Prefix}{key}</c> in <see cref="Bucket"/>.
/// </summary>
public sealed class S3BlobOptions
{
    /// <summary>
    /// The endpoint of an S3-compatible store, e.g. <c>http://127.0.0.1:9000</c>; null to reach AWS S3 itself in
    /// <see cref="Region"/>.
    /// </summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The region requests are signed for (and, without <see cref="ServiceUrl"/>, sent to).</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>The bucket; it must exist already.</summary>
    public string Bucket { get; set; } = "";

    /// <summary>Put before every blob's key; a <c>/</c> is added when it does not end with one. Empty for none.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>Addresses the bucket in the path (<c>host/bucket/key</c>) rather than the host name, as most S3-compatible stores need.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>With <see cref="SecretKey"/>, the credentials; when both are empty the standard AWS chain supplies them (environment, profile, instance role).</summary>
    public string? AccessKey { get; set; }

    /// <summary>See <see cref="AccessKey"/>.</summary>
    public string? SecretKey { get; set; }

    /// <summary>
    /// How long one request may wait for the store's answer (a part of up to 5 MiB sent, the headers back) before it
    /// counts as failed: a hung store must be noticed in seconds, not after the SDK's default of minutes. It bounds the
    /// retries of <see cref="MaxErrorRetry"/> too, except when completing a multipart upload, whose answer waits for
    /// the store to assemble the object. Reading a blob's body is not bounded by it, so a slow client can take its time.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long opening a connection may take; an unreachable host is noticed after this.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How many times a failed request (a 5xx, a throttling answer, a dropped connection) is retried before the store
    /// counts as unavailable, as long as the <see cref="RequestTimeout"/> lasts.
    /// </summary>
    public int MaxErrorRetry { get; set; } = 2;

    /// <summary>The prefix as it is put before keys: empty, or ending with <c>/</c>.</summary>
    internal string NormalizedPrefix => Prefix.Length == 0 || Prefix.EndsWith('/') ? Prefix : Prefix + "/";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that cannot work.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Bucket))
        {
            throw new ArgumentException("The S3 blob store needs a Bucket.", nameof(Bucket));
        }

        if (string.IsNullOrWhiteSpace(Region))
        {
            throw new ArgumentException("The S3 blob store needs a Region (us-east-1 suits most S3-compatible stores).", nameof(Region));
        }

        if (!string.IsNullOrEmpty(ServiceUrl)
            && !(Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            throw new ArgumentException($"The S3 ServiceUrl '{ServiceUrl}' is not an absolute http or https URL.", nameof(ServiceUrl));
        }

        if (string.IsNullOrEmpty(AccessKey) != string.IsNullOrEmpty(SecretKey))
        {
            throw new ArgumentException(
                "The S3 AccessKey and SecretKey go together: give both, or neither to use the standard AWS credential chain.",
                string.IsNullOrEmpty(AccessKey) ? nameof(AccessKey) : nameof(SecretKey));
        }

        if (RequestTimeout <= TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero || MaxErrorRetry < 0)
        {
            throw new ArgumentException("The S3 timeouts must be positive and MaxErrorRetry not negative.", nameof(RequestTimeout));
        }
    }
}
