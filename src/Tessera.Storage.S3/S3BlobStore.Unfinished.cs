using Amazon.S3;
using Amazon.S3.Model;

namespace Tessera.Storage.S3;

/// <summary>What writes that never finished leave in S3: multipart uploads neither completed nor aborted.</summary>
public sealed partial class S3BlobStore
{
    public async Task<int> DeleteUnfinishedAsync(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        var request = new ListMultipartUploadsRequest { BucketName = _bucket, Prefix = _prefix };
        var aborted = 0;
        while (true)
        {
            var page = await CallAsync(token => _client.ListMultipartUploadsAsync(request, token), null, cancellationToken);
            foreach (var upload in page.MultipartUploads ?? [])
            {
                if (upload.Initiated is { } initiated
                    && new DateTimeOffset(DateTime.SpecifyKind(initiated, DateTimeKind.Utc)) < olderThan
                    && await TryAbortAsync(upload.Key, upload.UploadId, cancellationToken))
                {
                    aborted++;
                }
            }

            if (page.IsTruncated != true)
            {
                return aborted;
            }

            request.KeyMarker = page.NextKeyMarker;
            request.UploadIdMarker = page.NextUploadIdMarker;
        }
    }

    /// <summary>Aborts a multipart upload; false when it was gone already (another node's sweep, or it just finished).</summary>
    private async Task<bool> TryAbortAsync(string objectKey, string uploadId, CancellationToken cancellationToken)
    {
        return await CallAsync(
            async token =>
            {
                try
                {
                    await _client.AbortMultipartUploadAsync(
                        new AbortMultipartUploadRequest { BucketName = _bucket, Key = objectKey, UploadId = uploadId }, token);
                    return true;
                }
                catch (AmazonS3Exception exception) when (exception.ErrorCode == "NoSuchUpload")
                {
                    return false;
                }
            },
            null, cancellationToken);
    }
}
