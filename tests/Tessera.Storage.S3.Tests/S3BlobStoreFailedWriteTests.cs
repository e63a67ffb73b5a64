using Amazon.S3.Model;
using Tessera.Testing;
using Tessera.Testing.Engines;

namespace Tessera.Storage.S3.Tests;

public sealed class S3BlobStoreFailedWriteTests : IAsyncLifetime
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

    [Theory]
    [InlineData(1000)]
    [InlineData(PartBytes + 10)]
    [InlineData(12L << 20)]
    public async Task A_source_that_fails_partway_leaves_no_object_and_no_upload_and_its_exception_propagates(long failAfter)
    {
        await Assert.ThrowsAsync<SourceFailedException>(
            () => _bucket.Store.WriteAsync("blob_failed", new PatternStream(64L << 20, seed: 5, failAfter), Token));

        Assert.Empty(await _bucket.ObjectKeysAsync(Token));
        Assert.Empty(await _bucket.UnfinishedUploadsAsync(Token));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => _bucket.Store.OpenReadAsync("blob_failed", 0, Token));
    }

    [Fact]
    public async Task A_write_cancelled_by_its_caller_throws_OperationCanceled_and_leaves_nothing()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var source = new CancellingStream(new PatternStream(64L << 20, seed: 5), cancel, cancelAfter: 12L << 20);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _bucket.Store.WriteAsync("blob_cancelled", source, cancel.Token));

        Assert.Empty(await _bucket.ObjectKeysAsync(Token));
        Assert.Empty(await _bucket.UnfinishedUploadsAsync(Token));
    }

    [Fact]
    public async Task Deleting_unfinished_writes_aborts_an_abandoned_multipart_upload_under_the_prefix_once_old_enough()
    {
        // What a node that crashed mid-write leaves: an upload with a part, never completed nor aborted.
        await StartAbandonedUploadAsync(S3TestBucket.Prefix + "blob_abandoned");
        await StartAbandonedUploadAsync("elsewhere/blob_not_ours");

        var tooRecent = await _bucket.Store.DeleteUnfinishedAsync(DateTimeOffset.UtcNow.AddHours(-1), Token);
        Assert.Equal(0, tooRecent);
        Assert.Equal(2, (await _bucket.UnfinishedUploadsAsync(Token)).Count);

        var aborted = await _bucket.Store.DeleteUnfinishedAsync(DateTimeOffset.UtcNow.AddMinutes(1), Token);

        Assert.Equal(1, aborted);
        Assert.Equal(["elsewhere/blob_not_ours"], await _bucket.UnfinishedUploadsAsync(Token));
        Assert.Equal(0, await _bucket.Store.DeleteUnfinishedAsync(DateTimeOffset.UtcNow.AddMinutes(1), Token));
    }

    private async Task StartAbandonedUploadAsync(string objectKey)
    {
        var started = await _bucket.Inspector.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = _bucket.Name, Key = objectKey }, Token);
        await _bucket.Inspector.UploadPartAsync(
            new UploadPartRequest
            {
                BucketName = _bucket.Name,
                Key = objectKey,
                UploadId = started.UploadId,
                PartNumber = 1,
                InputStream = new MemoryStream(new byte[PartBytes]),
            },
            Token);
    }

    /// <summary>Cancels the caller's token once so many bytes were read, as a client that goes away mid-part does.</summary>
    private sealed class CancellingStream(Stream inner, CancellationTokenSource cancel, long cancelAfter) : ReadOnlyStream
    {
        private long _read;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_read >= cancelAfter)
            {
                await cancel.CancelAsync();
            }

            cancellationToken.ThrowIfCancellationRequested();
            var read = await inner.ReadAsync(buffer, cancellationToken);
            _read += read;
            return read;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
