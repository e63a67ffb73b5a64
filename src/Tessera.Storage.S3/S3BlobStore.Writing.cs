using Amazon.S3;
using Amazon.S3.Model;
using Tessera.Contracts;

namespace Tessera.Storage.S3;

/// <summary>
/// Writing a blob from a stream without holding it: the source is read into buffers of S3's smallest part size. A blob
/// shorter than one buffer goes up as one PutObject; any other as a multipart upload in which, buffers allowing, the
/// next part fills from the source while the previous one is sent, so a write holds two buffers at most.
/// </summary>
/// <remarks>
/// <para>
/// Every request that carries bytes also carries their CRC32C, computed here once (it is the checksum the write
/// returns): a PutObject its object's, each UploadPart its part's, and the CompleteMultipartUpload the whole object's,
/// the upload having been created as a full-object CRC32C one. The store checks each against what it received and
/// refuses a request whose bytes do not match, so a blob corrupted between Tessera and the store is never stored.
/// </para>
/// <para>
/// Bodies go up whole, signed with their SHA-256 (<c>UseChunkEncoding = false</c>) rather than in the SDK's default
/// aws-chunked framing: several S3-compatible stores reject that framing or store it as the object's bytes, and the
/// part is in memory anyway, so hashing it first costs no extra read of the source.
/// </para>
/// </remarks>
public sealed partial class S3BlobStore
{
    // S3 numbers the parts of an upload from 1 to 10,000, which caps a blob at 10,000 buffers (about 48.8 GiB).
    private const int MaxParts = 10_000;

    public async Task<WrittenBlob> WriteAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        var objectKey = ObjectKeyOf(key);
        var first = _buffers.Rent();
        byte[]? second = null;
        try
        {
            var firstFilled = await FillAsync(content, first, cancellationToken);
            if (firstFilled < first.Length)
            {
                var crc = Crc32C.Compute(first.AsSpan(0, firstFilled));
                await PutAsync(key, objectKey, first, firstFilled, crc, cancellationToken);
                return new WrittenBlob(firstFilled, crc);
            }

            second = _buffers.TryRentSecond();
            return await WriteMultipartAsync(objectKey, content, first, second, cancellationToken);
        }
        finally
        {
            // Every request that read these buffers has ended by now, whether it succeeded or not.
            _buffers.Return(first);
            if (second is not null)
            {
                _buffers.ReturnSecond(second);
            }
        }
    }

    private async Task PutAsync(string key, string objectKey, byte[] buffer, int length, uint crc, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(
                token => _client.PutObjectAsync(
                    new PutObjectRequest
                    {
                        BucketName = _bucket,
                        Key = objectKey,
                        InputStream = new MemoryStream(buffer, 0, length, writable: false),
                        UseChunkEncoding = false,
                        ChecksumCRC32C = Crc32C.ToHeaderValue(crc),
                    },
                    token),
                key, cancellationToken);
        }
        catch (Exception failure)
        {
            // A put that timed out may still have landed; a blob is whole or absent, and a failed write leaves none.
            await DeleteQuietlyAsync(objectKey, failure);
            throw;
        }
    }

    /// <summary>
    /// Uploads <paramref name="first"/> (full) as the first part and the rest of <paramref name="content"/> after it.
    /// With a <paramref name="second"/> buffer the next part fills while the last one is sent; without, the one buffer
    /// is sent and then filled again. On any failure the upload is aborted, so no part stays behind, and the failure
    /// propagates.
    /// </summary>
    private async Task<WrittenBlob> WriteMultipartAsync(
        string objectKey, Stream content, byte[] first, byte[]? second, CancellationToken cancellationToken)
    {
        var uploadId = await StartMultipartAsync(objectKey, cancellationToken);

        // Cancelled when the write fails, so a part still being sent is not waited for to its end.
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var parts = new List<PartETag>();
        Task<PartETag>? sending = null;
        var completing = false;
        try
        {
            var (current, currentFilled, spare) = (first, first.Length, second);
            long total = 0;
            uint crc = 0;
            while (true)
            {
                if (parts.Count == MaxParts)
                {
                    throw new StorageFullException($"A blob in the S3 store holds at most {MaxParts} parts of {PartBuffers.PartBytes} bytes.");
                }

                // Checksummed here, while the part before is still being sent.
                var partCrc = Crc32C.Compute(current.AsSpan(0, currentFilled));
                crc = Crc32C.Combine(crc, partCrc, currentFilled);
                sending = UploadPartAsync(objectKey, uploadId, parts.Count + 1, current, currentFilled, partCrc, abandon.Token);
                total += currentFilled;
                if (currentFilled < current.Length)
                {
                    break;
                }

                if (spare is null)
                {
                    parts.Add(await sending);
                    sending = null;
                }

                var next = spare ?? current;
                var nextFilled = await FillAsync(content, next, abandon.Token);
                if (sending is not null)
                {
                    parts.Add(await sending);
                    sending = null;
                    spare = current;
                }

                if (nextFilled == 0)
                {
                    break;
                }

                (current, currentFilled) = (next, nextFilled);
            }

            if (sending is not null)
            {
                parts.Add(await sending);
                sending = null;
            }

            completing = true;

            // The store assembles the object while the completion waits, in a time that grows with its size: each
            // attempt has the request timeout, and the SDK's retries are not cut short.
            await S3Failures.CallAsync(
                token => _client.CompleteMultipartUploadAsync(
                    new CompleteMultipartUploadRequest
                    {
                        BucketName = _bucket,
                        Key = objectKey,
                        UploadId = uploadId,
                        PartETags = parts,
                        ChecksumType = ChecksumType.FULL_OBJECT,
                        ChecksumCRC32C = Crc32C.ToHeaderValue(crc),
                    },
                    token),
                null, Timeout.InfiniteTimeSpan, cancellationToken);
            return new WrittenBlob(total, crc);
        }
        catch (Exception failure)
        {
            await abandon.CancelAsync();
            if (sending is not null)
            {
                // Its buffer goes back to the pool once this method ends; its own failure matters less than the one
                // already on its way.
                await Task.WhenAny(sending);
            }

            await AbortQuietlyAsync(objectKey, uploadId, failure);
            if (completing)
            {
                // A completion that timed out may have happened all the same.
                await DeleteQuietlyAsync(objectKey, failure);
            }

            throw;
        }
    }

    private async Task<string> StartMultipartAsync(string objectKey, CancellationToken cancellationToken)
    {
        var started = await CallAsync(
            token => _client.InitiateMultipartUploadAsync(
                new InitiateMultipartUploadRequest
                {
                    BucketName = _bucket,
                    Key = objectKey,

                    // A full-object CRC32C (rather than a checksum of the parts' checksums) is the blob's own CRC32C,
                    // the one Tessera records; the store checks the parts' combination against it on completion.
                    ChecksumAlgorithm = ChecksumAlgorithm.CRC32C,
                    ChecksumType = ChecksumType.FULL_OBJECT,
                },
                token),
            null, cancellationToken);
        return started.UploadId;
    }

    private async Task<PartETag> UploadPartAsync(
        string objectKey, string uploadId, int partNumber, byte[] buffer, int length, uint crc, CancellationToken cancellationToken)
    {
        var checksum = Crc32C.ToHeaderValue(crc);
        var request = new UploadPartRequest
        {
            BucketName = _bucket,
            Key = objectKey,
            UploadId = uploadId,
            PartNumber = partNumber,
            PartSize = length,
            InputStream = new MemoryStream(buffer, 0, length, writable: false),
            UseChunkEncoding = false,
            ChecksumCRC32C = checksum,
        };
        var uploaded = await CallAsync(token => _client.UploadPartAsync(request, token), null, cancellationToken);

        // The completion names each part's checksum too, as S3's API has it for an upload created with a checksum
        // algorithm; a store checks it against the part it holds.
        return new PartETag(partNumber, uploaded.ETag) { ChecksumCRC32C = checksum };
    }

    /// <summary>
    /// Best effort, and deliberately not cancellable by the caller: a write abandoned by its client must still clean
    /// up. If the store cannot be reached now, <see cref="DeleteUnfinishedAsync"/> aborts the upload later.
    /// </summary>
    /// <remarks>
    /// Bounded by the request timeout, and not tried at all after the write's <paramref name="failure"/> was the store
    /// not answering in time: asking a hung store again would hold the client's answer for another timeout.
    /// </remarks>
    private async Task AbortQuietlyAsync(string objectKey, string uploadId, Exception failure)
    {
        if (S3Failures.IsHang(failure))
        {
            return;
        }

        try
        {
            using var deadline = new CancellationTokenSource(_callDeadline);
            await _client.AbortMultipartUploadAsync(
                new AbortMultipartUploadRequest { BucketName = _bucket, Key = objectKey, UploadId = uploadId }, deadline.Token);
        }
        catch (Exception)
        {
            // See the summary: the sweep of unfinished uploads is the fallback.
        }
    }

    /// <summary>
    /// Best effort and bounded, like <see cref="AbortQuietlyAsync"/>; an object that landed after all is an orphan that
    /// the host's reconciliation deletes.
    /// </summary>
    private async Task DeleteQuietlyAsync(string objectKey, Exception failure)
    {
        if (S3Failures.IsHang(failure))
        {
            return;
        }

        try
        {
            using var deadline = new CancellationTokenSource(_callDeadline);
            await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = objectKey }, deadline.Token);
        }
        catch (Exception)
        {
            // A failed write whose put may or may not have landed, on a store that cannot be reached: nothing more to do.
        }
    }

    private static async Task<int> FillAsync(Stream source, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await source.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }
}
