using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Tessera.Testing.Engines;

namespace Tessera.Storage.S3.Tests;

/// <summary>
/// A fresh bucket on an S3 engine, Tessera's store on it (under a prefix, as a shared bucket would be used), and a
/// plain SDK client to look at the bucket the way an operator would.
/// </summary>
internal sealed class S3TestBucket : IDisposable
{
    public const string Prefix = "tessera/";

    private S3TestBucket(S3Engine engine, string name, Action<S3BlobOptions>? configure)
    {
        Engine = engine;
        Name = name;
        var storeOptions = engine.OptionsFor(name, Prefix);
        configure?.Invoke(storeOptions);
        Store = new S3BlobStore(storeOptions);
        var options = engine.OptionsFor(name);
        Inspector = new AmazonS3Client(
            new BasicAWSCredentials(options.AccessKey, options.SecretKey),
            new AmazonS3Config
            {
                ServiceURL = options.ServiceUrl,
                AuthenticationRegion = options.Region,
                ForcePathStyle = true,
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            });
    }

    public S3Engine Engine { get; }

    public string Name { get; }

    public S3BlobStore Store { get; }

    public AmazonS3Client Inspector { get; }

    /// <summary>A fresh bucket, and a store on it whose options <paramref name="configure"/> may change (its timeouts).</summary>
    public static async Task<S3TestBucket> CreateAsync(S3Engine engine, CancellationToken cancellationToken, Action<S3BlobOptions>? configure = null) =>
        new(engine, await engine.CreateBucketAsync(cancellationToken), configure);

    public int Count(S3RequestKind kind) => Engine.CountRequests(Name, kind);

    /// <summary>The requests of <paramref name="kind"/> this bucket received so far, in order.</summary>
    public IReadOnlyList<S3Request> Requests(S3RequestKind kind) => [.. Engine.Requests.Where(r => r.Bucket == Name && r.Kind == kind)];

    /// <summary>Every object key in the bucket, whatever its prefix.</summary>
    public async Task<IReadOnlyList<string>> ObjectKeysAsync(CancellationToken cancellationToken)
    {
        var page = await Inspector.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Name }, cancellationToken);
        return [.. (page.S3Objects ?? []).Select(o => o.Key)];
    }

    /// <summary>The keys of the multipart uploads neither completed nor aborted.</summary>
    public async Task<IReadOnlyList<string>> UnfinishedUploadsAsync(CancellationToken cancellationToken)
    {
        var page = await Inspector.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Name }, cancellationToken);
        return [.. (page.MultipartUploads ?? []).Select(u => u.Key)];
    }

    /// <summary>The SHA-256 of what <paramref name="key"/> holds from <paramref name="offset"/> on, read through the store.</summary>
    public async Task<string> HashOfBlobAsync(string key, long offset, CancellationToken cancellationToken)
    {
        await using var stream = await Store.OpenReadAsync(key, offset, cancellationToken);
        return Convert.ToHexString(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    public void Dispose()
    {
        Store.Dispose();
        Inspector.Dispose();
    }
}
