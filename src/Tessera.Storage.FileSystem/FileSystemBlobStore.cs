using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Tessera.Contracts;

namespace Tessera.Storage.FileSystem;

/// <summary>
/// Blobs as files: <c>blobs/&lt;shard&gt;/&lt;key&gt;</c> under the root, written under a temporary name first (beside
/// the final name when the blob fits in one write buffer, under <c>tmp/</c> otherwise) and renamed into place once
/// flushed to disk, so a blob is either whole or absent; the rename is flushed too before <see cref="WriteAsync"/>
/// returns. Failures of the disk are reported as the contract's exceptions; what the source stream of a write
/// throws propagates unchanged.
/// </summary>
public sealed partial class FileSystemBlobStore : IBlobStore
{
    /// <summary>
    /// Reads from the source are gathered into buffers of this size before each write: few, large syscalls. With direct
    /// I/O each write is one request to the disk, and the disk keeps up only when the requests are large: 4 MiB ingests
    /// faster than 1 MiB (docs/benchmarks.md), at the cost of two such buffers per part being written.
    /// </summary>
    public const int WriteBufferBytes = 4 << 20;

    /// <summary>
    /// How many bytes of <see cref="WriteBufferBytes"/> buffers all writes together may hold by default: eight parts
    /// written at full speed. Writes beyond that gather into 256 KiB buffers instead.
    /// </summary>
    public const long DefaultWriteBufferBudgetBytes = 16 * (long)WriteBufferBytes;

    /// <summary>Every this many bytes written, writeback of them to disk is started (see <see cref="EarlyWriteback"/>).</summary>
    public const int WritebackBytes = 8 << 20;

    // Ends the name of a write in progress. A '.' is never in a blob key, so such a file is never taken for a blob.
    private const string UnfinishedSuffix = ".tmp";

    private readonly string _blobsPath;
    private readonly string _temporaryPath;
    private readonly WriteBuffers _writeBuffers;
    private readonly DirectoryFlushes _directoryFlushes = new();

    // Shards whose entry in blobs/ this process has flushed to disk. A blob is renamed into a shard only once the
    // shard is known to be there, so no write can answer while another has created the shard but not yet flushed it.
    private readonly ConcurrentDictionary<string, bool> _shardsOnDisk = new();

    /// <param name="rootPath">The folder that holds the blobs.</param>
    /// <param name="writeBufferBudgetBytes">How many bytes of large write buffers all writes in progress may hold together.</param>
    public FileSystemBlobStore(string rootPath, long writeBufferBudgetBytes = DefaultWriteBufferBudgetBytes)
    {
        _writeBuffers = new WriteBuffers(WriteBufferBytes, writeBufferBudgetBytes);
        RootPath = Path.GetFullPath(rootPath);
        _blobsPath = Path.Combine(RootPath, "blobs");
        _temporaryPath = Path.Combine(RootPath, "tmp");
        Directory.CreateDirectory(_blobsPath);
        Directory.CreateDirectory(_temporaryPath);
    }

    public string RootPath { get; }

    public async Task<WrittenBlob> WriteAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        var finalPath = PathOf(key);
        var shard = Path.GetDirectoryName(finalPath)!;

        // The first buffer is filled before the file is made, so the blob's size is known when it fits in one buffer.
        // Such a small blob is written beside its final name: flushing a new file also writes its folder's entry, and
        // concurrent small parts that all went through tmp/ queued on that one folder (docs/benchmarks.md). Larger
        // blobs keep to tmp/, where their 1 GiB ingest measured faster.
        var first = _writeBuffers.Rent();
        var firstOwned = true;
        string? temporaryPath = null;
        long written;
        var crc = Crc32C.Create();
        var moved = false;
        try
        {
            var firstFilled = await FillAsync(content, first.Memory, cancellationToken);
            var fitsOneBuffer = firstFilled < first.Length;
            await EnsureShardOnDiskAsync(shard, cancellationToken);
            temporaryPath = Path.Combine(fitsOneBuffer ? shard : _temporaryPath, $"{key}.{Guid.NewGuid():N}{UnfinishedSuffix}");
            var direct = DirectIo.TryCreate(temporaryPath);
            await using (var file = direct is null
                ? new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous)
                : new FileStream(direct, FileAccess.Write, bufferSize: 0))
            {
                firstOwned = false;
                written = await CopyCoalescedAsync(content, file, _writeBuffers, first, firstFilled, crc, isDirect: direct is not null, cancellationToken);
                await FlushThreads.Shared.RunAsync(() => file.Flush(flushToDisk: true), cancellationToken);
            }

            File.Move(temporaryPath, finalPath);
            moved = true;
            await _directoryFlushes.FlushAsync(shard, cancellationToken);
        }
        catch (Exception exception)
        {
            if (firstOwned)
            {
                _writeBuffers.Return(first);
            }

            if ((moved ? finalPath : temporaryPath) is { } leftover)
            {
                TryDelete(leftover);
            }

            if (exception is SourceReadException source)
            {
                ExceptionDispatchInfo.Throw(source.SourceException);
            }

            if (DiskFailures.IsDiskFailure(exception))
            {
                throw DiskFailures.OfWrite(exception);
            }

            throw;
        }

        return new WrittenBlob(written, crc.GetCurrentHashAsUInt32());
    }

    public Task<Stream> OpenReadAsync(string key, long offset, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = PathOf(key);
        FileStream? stream = null;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.SequentialScan);
            if (offset != 0)
            {
                stream.Seek(offset, SeekOrigin.Begin);
            }

            return Task.FromResult<Stream>(stream);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(key, exception);
        }
        catch (Exception exception) when (DiskFailures.IsDiskFailure(exception))
        {
            stream?.Dispose();
            throw DiskFailures.Unavailable(exception);
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = PathOf(key);
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Never written: nothing to delete.
        }
        catch (Exception exception) when (DiskFailures.IsDiskFailure(exception))
        {
            throw DiskFailures.Unavailable(exception);
        }

        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<StoredBlob> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var paths = OnDisk(() => Directory.EnumerateFiles(_blobsPath, "*", SearchOption.AllDirectories).GetEnumerator());
        while (OnDisk(paths.MoveNext))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = paths.Current;
            var key = Path.GetFileName(path);
            // One stat for both figures; a blob deleted since the listing saw it is skipped.
            if (BlobKeys.IsValid(key) && OnDisk(() => new FileInfo(path)) is { Exists: true } blob)
            {
                yield return new StoredBlob(key, blob.LastWriteTimeUtc, blob.Length);
            }
        }
    }

    public Task<int> DeleteUnfinishedAsync(DateTimeOffset olderThan, CancellationToken cancellationToken) => Task.FromResult(OnDisk(() =>
    {
        // Small blobs are written beside their final names, larger ones (and the health probe) under tmp/.
        var unfinished = Directory.EnumerateFiles(_blobsPath, $"*{UnfinishedSuffix}", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(_temporaryPath));
        var deleted = 0;
        foreach (var path in unfinished)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (File.GetLastWriteTimeUtc(path) < olderThan.UtcDateTime && TryDelete(path))
            {
                deleted++;
            }
        }

        return deleted;
    }));

    /// <remarks>
    /// A real write, not a look: a file system remounted read-only (after a disk error, say) still answers a stat. The
    /// probe is written in tmp/ and renamed into blobs/, as a large part is, so either folder refusing is noticed.
    /// </remarks>
    public async Task CheckHealthAsync(CancellationToken cancellationToken)
    {
        // Named as an unfinished write, so a probe a crash left behind is never taken for a blob and is swept.
        var name = $"health.{Guid.NewGuid():N}{UnfinishedSuffix}";
        var probe = Path.Combine(_temporaryPath, name);
        var moved = Path.Combine(_blobsPath, name);
        try
        {
            await File.WriteAllBytesAsync(probe, [1], cancellationToken);
            File.Move(probe, moved);
        }
        catch (Exception exception) when (DiskFailures.IsDiskFailure(exception))
        {
            // A full disk too: the store cannot take writes, whatever the reason.
            throw DiskFailures.Unavailable(exception);
        }
        finally
        {
            TryDelete(probe);
            TryDelete(moved);
        }
    }

    /// <summary>
    /// Creates the shard if need be and flushes its entry in blobs/, once per shard for the life of the process
    /// (a shard left by an earlier process may not have been flushed if only that process, not the machine, stopped).
    /// </summary>
    private async Task EnsureShardOnDiskAsync(string shard, CancellationToken cancellationToken)
    {
        if (_shardsOnDisk.ContainsKey(shard))
        {
            return;
        }

        Directory.CreateDirectory(shard);
        await _directoryFlushes.FlushAsync(_blobsPath, cancellationToken);
        _shardsOnDisk.TryAdd(shard, true);
    }

    private string PathOf(string key)
    {
        if (!BlobKeys.IsValid(key))
        {
            throw new ArgumentException($"'{key}' is not a blob key.", nameof(key));
        }

        // Shard by the key's last two characters (random hex) so no folder grows to millions of entries.
        return Path.Combine(_blobsPath, key[^2..], key);
    }

    /// <summary>Runs a call on the disk, reporting its failure as the store being unavailable.</summary>
    private static T OnDisk<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Exception exception) when (DiskFailures.IsDiskFailure(exception))
        {
            throw DiskFailures.Unavailable(exception);
        }
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
