using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace Tessera.Storage.S3;

/// <summary>
/// The one place where the SDK's failures become the storage contract's: a missing object is
/// <see cref="BlobNotFoundException"/>, a store out of room <see cref="StorageFullException"/>, anything else the store
/// did or failed to do (refused connections, timeouts, 5xx after the SDK's retries, a missing bucket, refused
/// credentials) <see cref="StoreUnavailableException"/>. The caller's own cancellation passes unchanged.
/// </summary>
internal static class S3Failures
{
    // Error codes S3 and S3-compatible stores use when a write does not fit: AWS's own, then MinIO's and Ceph's.
    private static readonly HashSet<string> FullCodes = new(StringComparer.Ordinal)
    {
        "EntityTooLarge", "QuotaExceeded", "XMinioStorageFull", "XMinioAdminBucketQuotaExceeded", "InsufficientStorage",
    };

    /// <summary>
    /// Runs one request to the store, reporting its failure as the contract says; <paramref name="blobKey"/> (the blob
    /// the request reads, if any) is what a <see cref="BlobNotFoundException"/> names.
    /// </summary>
    /// <remarks>
    /// The whole call, the SDK's retries included, ends by <paramref name="deadline"/>: the SDK retries an attempt that
    /// timed out, so a hung store would otherwise cost (1 + MaxErrorRetry) request timeouts per call.
    /// </remarks>
    public static async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> request, string? blobKey, TimeSpan deadline, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(deadline);
        try
        {
            return await request(bounded.Token);
        }
        catch (Exception exception) when (Translate(exception, blobKey, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Whether <paramref name="failure"/> is the store not answering in time, rather than answering with an error.</summary>
    public static bool IsHang(Exception failure) =>
        failure is StoreUnavailableException { InnerException: TimeoutException or OperationCanceledException };

    private static StorageException? Translate(Exception exception, string? blobKey, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => null,
        AmazonS3Exception { ErrorCode: "NoSuchKey" } when blobKey is not null => new BlobNotFoundException(blobKey, exception),
        AmazonServiceException { StatusCode: HttpStatusCode.InsufficientStorage } => Full(exception),
        AmazonServiceException service when service.ErrorCode is { } code && FullCodes.Contains(code) => Full(exception),
        // The SDK reports its request timeout as a TimeoutException; HttpClient's own as a cancellation the caller did
        // not ask for.
        TimeoutException or OperationCanceledException =>
            new StoreUnavailableException(StoreKind.Blobs, "The S3 blob store did not answer in time.", exception),
        AmazonServiceException or AmazonClientException or HttpRequestException or IOException or SocketException =>
            new StoreUnavailableException(StoreKind.Blobs, $"The S3 blob store could not be used: {exception.Message}", exception),
        _ => null,
    };

    private static StorageFullException Full(Exception exception) =>
        new($"The S3 blob store has no room for the write: {exception.Message}", exception);
}
