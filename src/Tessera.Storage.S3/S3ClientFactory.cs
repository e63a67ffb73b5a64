using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace Tessera.Storage.S3;

/// <summary>Builds the SDK client from <see cref="S3BlobOptions"/>.</summary>
internal static class S3ClientFactory
{
    public static AmazonS3Client Create(S3BlobOptions options)
    {
        var config = new AmazonS3Config
        {
            // An explicit region: the SDK never goes looking for one (environment, profile, instance metadata).
            RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region),
            ForcePathStyle = options.ForcePathStyle,
            Timeout = options.RequestTimeout,
            ConnectTimeout = options.ConnectTimeout,
            MaxErrorRetry = options.MaxErrorRetry,
            RetryMode = RequestRetryMode.Standard,

            // By default the SDK adds CRC checksums to every upload, sent as a trailer of an unsigned streaming body;
            // S3-compatible stores commonly accept only signed or streaming-signed bodies. Checksums are sent where
            // an operation requires them; SigV4 already signs each payload. Blob writes carry the CRC32C S3BlobStore
            // computed as it read them (see S3BlobStore.Writing.cs), and a request that names a checksum is one the
            // SDK computes none for, so no body is hashed twice for a checksum.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (!string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region;
        }

        return string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }
}
