using Amazon.S3;
using Amazon.S3.Model;
using Tessera.Contracts;
using Tessera.Testing.Engines;

namespace Tessera.Storage.S3.Tests;

/// <summary>
/// The S3 engine checks the CRC32C a write names against its bytes, as S3 does (s3rver alone would store them
/// unchecked), so a store test that passes has had its checksums checked by the store.
/// </summary>
public sealed class S3EngineChecksumTests : IAsyncLifetime
{
    private const int PartBytes = 5 << 20;

    private S3TestBucket _bucket = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _bucket = await S3TestBucket.CreateAsync(await S3Engine.SharedAsync(), Token);

    public ValueTask DisposeAsync()
    {
        _bucket.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_put_whose_CRC32C_does_not_match_its_bytes_is_refused_with_BadDigest_and_nothing_is_stored()
    {
        var exception = await Assert.ThrowsAsync<AmazonS3Exception>(() => _bucket.Inspector.PutObjectAsync(
            new PutObjectRequest
            {
                BucketName = _bucket.Name,
                Key = "object",
                ContentBody = "the bytes sent",
                UseChunkEncoding = false,
                ChecksumCRC32C = Crc32C.ToHeaderValue(Crc32C.Compute("other bytes"u8)),
            },
            Token));

        Assert.Equal("BadDigest", exception.ErrorCode);
        Assert.Empty(await _bucket.ObjectKeysAsync(Token));
    }

    [Fact]
    public async Task A_put_whose_CRC32C_matches_its_bytes_is_stored()
    {
        await _bucket.Inspector.PutObjectAsync(
            new PutObjectRequest
            {
                BucketName = _bucket.Name,
                Key = "object",
                ContentBody = "the bytes sent",
                UseChunkEncoding = false,
                ChecksumCRC32C = Crc32C.ToHeaderValue(Crc32C.Compute("the bytes sent"u8)),
            },
            Token);

        Assert.Equal(["object"], await _bucket.ObjectKeysAsync(Token));
    }

    [Fact]
    public async Task A_part_whose_CRC32C_does_not_match_its_bytes_is_refused_with_BadDigest()
    {
        var uploadId = await StartUploadAsync();

        var exception = await Assert.ThrowsAsync<AmazonS3Exception>(() => UploadPartAsync(uploadId, 1, new byte[10], Crc32C.Compute(new byte[11])));

        Assert.Equal("BadDigest", exception.ErrorCode);
    }

    [Fact]
    public async Task A_completion_whose_full_object_CRC32C_does_not_match_the_parts_is_refused_with_BadDigest_and_the_upload_stays()
    {
        var uploadId = await StartUploadAsync();
        var first = Enumerable.Repeat((byte)1, PartBytes).ToArray();
        var second = new byte[] { 2, 3 };
        var parts = new List<PartETag>
        {
            await UploadPartAsync(uploadId, 1, first, Crc32C.Compute(first)),
            await UploadPartAsync(uploadId, 2, second, Crc32C.Compute(second)),
        };
        var inOtherOrder = Crc32C.Combine(Crc32C.Compute(second), Crc32C.Compute(first), first.Length);

        var exception = await Assert.ThrowsAsync<AmazonS3Exception>(() => CompleteAsync(uploadId, parts, inOtherOrder));

        Assert.Equal("BadDigest", exception.ErrorCode);
        Assert.Empty(await _bucket.ObjectKeysAsync(Token));
        Assert.Equal(["object"], await _bucket.UnfinishedUploadsAsync(Token));
        await CompleteAsync(uploadId, parts, Crc32C.Combine(Crc32C.Compute(first), Crc32C.Compute(second), second.Length));
        Assert.Equal(["object"], await _bucket.ObjectKeysAsync(Token));
    }

    [Fact]
    public async Task A_completion_naming_a_part_CRC32C_that_does_not_match_the_part_is_refused_with_BadDigest()
    {
        var uploadId = await StartUploadAsync();
        var bytes = new byte[] { 1, 2, 3 };
        var part = await UploadPartAsync(uploadId, 1, bytes, Crc32C.Compute(bytes));
        part.ChecksumCRC32C = Crc32C.ToHeaderValue(Crc32C.Compute(new byte[] { 1, 2, 4 }));

        var exception = await Assert.ThrowsAsync<AmazonS3Exception>(() => CompleteAsync(uploadId, [part], Crc32C.Compute(bytes)));

        Assert.Equal("BadDigest", exception.ErrorCode);
        Assert.Empty(await _bucket.ObjectKeysAsync(Token));
    }

    private async Task<string> StartUploadAsync()
    {
        var started = await _bucket.Inspector.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest
            {
                BucketName = _bucket.Name,
                Key = "object",
                ChecksumAlgorithm = ChecksumAlgorithm.CRC32C,
                ChecksumType = ChecksumType.FULL_OBJECT,
            },
            Token);
        return started.UploadId;
    }

    private async Task<PartETag> UploadPartAsync(string uploadId, int partNumber, byte[] bytes, uint crc)
    {
        var checksum = Crc32C.ToHeaderValue(crc);
        var uploaded = await _bucket.Inspector.UploadPartAsync(
            new UploadPartRequest
            {
                BucketName = _bucket.Name,
                Key = "object",
                UploadId = uploadId,
                PartNumber = partNumber,
                InputStream = new MemoryStream(bytes),
                UseChunkEncoding = false,
                ChecksumCRC32C = checksum,
            },
            Token);
        return new PartETag(partNumber, uploaded.ETag) { ChecksumCRC32C = checksum };
    }

    private Task<CompleteMultipartUploadResponse> CompleteAsync(string uploadId, List<PartETag> parts, uint whole) =>
        _bucket.Inspector.CompleteMultipartUploadAsync(
            new CompleteMultipartUploadRequest
            {
                BucketName = _bucket.Name,
                Key = "object",
                UploadId = uploadId,
                PartETags = parts,
                ChecksumType = ChecksumType.FULL_OBJECT,
                ChecksumCRC32C = Crc32C.ToHeaderValue(whole),
            },
            Token);
}
