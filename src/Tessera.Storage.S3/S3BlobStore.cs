using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using Tessera.Contracts;

namespace Tessera.Storage.S3;

/// <summary>
/// Blobs as objects in an S3 bucket, shared by every node: <c>{Prefix}{key}</c>. A blob that fits in one buffer goes up
/// as one PutObject, a larger one as a multipart upload that is either completed or aborted, so an object is whole or
/// absent. Failures are reported as the storage contract's exceptions (see <see cref="S3Failures"/>).
/// </summary>
public sealed partial class S3BlobStore : IBlobStore, IDisposable
{
    // Not a blob key (a '.' and a '/' are never in one), so a probe left behind by a crash is never listed as a blob.
    private const string HealthProbeFolder = ".health-probe/";

    private static readonly byte[] HealthProbeBytes = [1];

    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly PartBuffers _buffers = new();
    private readonly TimeSpan _callDeadline;

    /// <summary>Connects to the store that <paramref name="options"/> name; throws <see cref="ArgumentException"/> when they cannot work.</summary>
    public S3BlobStore(S3BlobOptions options)
        : this(ValidatedClient(options), options)
    {
    }

    private S3BlobStore(IAmazonS3 client, S3BlobOptions options)
    {
        _client = client;
        _bucket = options.Bucket;
        _prefix = options.NormalizedPrefix;
        _callDeadline = options.RequestTimeout;
    }

    public async Task<Stream> OpenReadAsync(string key, long offset, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var request = new GetObjectRequest { BucketName = _bucket, Key = ObjectKeyOf(key) };
        if (offset > 0)
        {
            request.ByteRange = new ByteRange($"bytes={offset}-");
        }

        var response = await CallAsync(
            async token =>
            {
                try
                {
                    return await _client.GetObjectAsync(request, token);
                }
                catch (AmazonS3Exception exception) when (exception.ErrorCode == "InvalidRange")
                {
                    // Reading from the end of a blob (or past it) reads nothing, as from a file.
                    return null;
                }
            },
            key, cancellationToken);
        return response is null ? new MemoryStream([], writable: false) : new S3ObjectStream(response);
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        // S3 answers a delete of a missing object with success, which is what the contract asks.
        await CallAsync(
            token => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = ObjectKeyOf(key) }, token),
            key, cancellationToken);
    }

    public async IAsyncEnumerable<StoredBlob> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix };
        while (true)
        {
            var page = await CallAsync(token => _client.ListObjectsV2Async(request, token), null, cancellationToken);
            foreach (var entry in page.S3Objects ?? [])
            {
                var key = entry.Key[_prefix.Length..];
                if (BlobKeys.IsValid(key))
                {
                    yield return new StoredBlob(key, new DateTimeOffset(DateTime.SpecifyKind(entry.LastModified ?? default, DateTimeKind.Utc)), entry.Size ?? 0);
                }
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public async Task CheckHealthAsync(CancellationToken cancellationToken)
    {
        // A real write and delete: a bucket that can be seen but not written to is not healthy.
        var probe = $"{_prefix}{HealthProbeFolder}{Guid.NewGuid():N}";
        await CallAsync(
            token => _client.PutObjectAsync(
                new PutObjectRequest
                {
                    BucketName = _bucket,
                    Key = probe,
                    InputStream = new MemoryStream(HealthProbeBytes),
                    UseChunkEncoding = false,

                    // Written as blobs are, so a store that refuses their checksums is not reported healthy.
                    ChecksumCRC32C = Crc32C.ToHeaderValue(Crc32C.Compute(HealthProbeBytes)),
                },
                token),
            null, cancellationToken);
        await CallAsync(
            token => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = probe }, token),
            null, cancellationToken);
    }

    public void Dispose() => _client.Dispose();

    private static AmazonS3Client ValidatedClient(S3BlobOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return S3ClientFactory.Create(options);
    }

    /// <summary>One request to the store, its failure reported as the contract says, over by the request timeout, retries included.</summary>
    private Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> request, string? blobKey, CancellationToken cancellationToken) =>
        S3Failures.CallAsync(request, blobKey, _callDeadline, cancellationToken);

    private string ObjectKeyOf(string key) =>
        BlobKeys.IsValid(key) ? _prefix + key : throw new ArgumentException($"'{key}' is not a blob key.", nameof(key));
}
