using System.Net;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Polly.Timeout;
using Tessera.Contracts;

namespace Tessera.Client;

/// <summary>
/// One run of a chunked upload. The source is read once, in order, by one reader that fills part buffers and feeds
/// the whole file's MD5; full buffers go out as parts, several at once; completion names them in order with the MD5.
/// Parts an earlier run sent are still read (the MD5 needs every byte, and reading is cheap next to sending) but
/// not sent again when the server holds a part of that size and MD5 for their index.
/// </summary>
internal sealed class ChunkedUpload
{
    // Large enough that a file is read in few system calls, small enough that a send can start on the first slice.
    private const int ReadSliceBytes = 4 << 20;

    private readonly UploadsClient _uploads;
    private readonly Stream _source;
    private readonly string _filename;
    private readonly long _length;
    private readonly string _purpose;
    private readonly ChunkedUploadOptions _options;
    private readonly ResumeStateStore? _store;
    private int _partSize;
    private int _partCount;
    private string _uploadId = "";
    private long _bytesSent;
    private long _bytesReused;
    private int _partsDone;
    private int _partsSent;
    private int _partsReused;
    private Exception? _failure;
    private UploadObject? _completedEarlier;

    public ChunkedUpload(UploadsClient uploads, Stream source, string filename, long length, string purpose, ChunkedUploadOptions options, ResumeStateStore? store)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PartSize, 1, nameof(options.PartSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.PartSize, UploadsClient.MaxPartBytes, nameof(options.PartSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Parallelism, 1, nameof(options.Parallelism));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxParts, 1, nameof(options.MaxParts));
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if ((length + options.PartSize - 1) / options.PartSize > options.MaxParts)
        {
            // Refused here, before the upload is created: the server would refuse the part past the limit only after
            // all the others had been sent.
            throw new ArgumentException(
                $"A file of {length} bytes in parts of {options.PartSize} bytes needs more than {options.MaxParts} parts, the most an upload may have; " +
                $"use a part size of at least {ChunkedUploadOptions.SmallestPartSize(length, options.MaxParts)} bytes.", nameof(options));
        }

        _uploads = uploads;
        _source = source;
        _filename = filename;
        _length = length;
        _purpose = purpose;
        _options = options;
        _store = store;
        _partSize = options.PartSize;
    }

    public async Task<ChunkedUploadResult> RunAsync(CancellationToken cancellationToken)
    {
        string? notice = null;
        IReadOnlyDictionary<int, StoredPartObject> held = new Dictionary<int, StoredPartObject>();
        if (_store is { HasUpload: true })
        {
            (notice, held) = await FindEarlierPartsAsync(_store, cancellationToken);
            if (_completedEarlier is not null)
            {
                // The earlier run completed the upload but stopped before forgetting it: the file is there already.
                _store.Delete();
                return new ChunkedUploadResult { Upload = _completedEarlier, ResumeNotice = notice };
            }
        }

        if (_uploadId.Length == 0)
        {
            var upload = await _uploads.CreateAsync(new CreateUploadRequest
            {
                Filename = _filename,
                Purpose = _purpose,
                Bytes = _length,
                MimeType = _options.MimeType ?? MimeTypeGuess.FromFileName(_filename),
                ExpiresAfter = _options.ExpiresAfter,
            }, cancellationToken);
            _uploadId = upload.Id;
            if (_store is not null)
            {
                await _store.StartAsync(_uploadId, _partSize, cancellationToken);
            }
        }

        _partCount = (int)((_length + _partSize - 1) / _partSize);
        try
        {
            var partIds = new string[_partCount];
            var md5 = await SendPartsAsync(held, partIds, cancellationToken);
            var completed = await _uploads.CompleteAsync(_uploadId, new CompleteUploadRequest { PartIds = partIds, Md5 = md5 }, cancellationToken);
            _store?.Delete();
            return new ChunkedUploadResult { Upload = completed, Md5 = md5, PartsSent = _partsSent, PartsReused = _partsReused, ResumeNotice = notice };
        }
        catch (Exception exception) when (!CanResumeAfter(exception))
        {
            await AbandonAsync();
            throw;
        }
    }

    /// <summary>The parts of the earlier run's upload that the server still holds, by index; starts over when there are none to use.</summary>
    private async Task<(string? Notice, IReadOnlyDictionary<int, StoredPartObject> Held)> FindEarlierPartsAsync(ResumeStateStore store, CancellationToken cancellationToken)
    {
        var state = store.State;
        IReadOnlyList<StoredPartObject> parts;
        try
        {
            var upload = await _uploads.GetAsync(state.UploadId, cancellationToken);
            if (upload is { Status: UploadStatuses.Completed, File: not null })
            {
                _completedEarlier = upload;
                return ($"The earlier upload {state.UploadId} was already completed.", new Dictionary<int, StoredPartObject>());
            }

            if (upload.Status != UploadStatuses.Pending)
            {
                store.Delete();
                return ($"The earlier upload {state.UploadId} is {upload.Status}; starting over.", new Dictionary<int, StoredPartObject>());
            }

            parts = (await _uploads.ListPartsAsync(state.UploadId, cancellationToken)).Data;
        }
        catch (TesseraApiException exception) when (exception.Status == HttpStatusCode.NotFound)
        {
            // OpenAI itself has neither GET /uploads/{id} nor the parts listing; or the upload is gone.
            await CancelQuietlyAsync(state.UploadId);
            store.Delete();
            return ($"Resume is not available: the server answered 404 for upload {state.UploadId} or its parts list; starting over.", new Dictionary<int, StoredPartObject>());
        }

        _uploadId = state.UploadId;
        _partSize = state.PartSize;
        var byId = parts.ToDictionary(p => p.Id);
        var held = new Dictionary<int, StoredPartObject>();
        foreach (var (index, partId) in state.Parts)
        {
            if (byId.TryGetValue(partId, out var part) && part.Bytes == PartLength(index))
            {
                held[index] = part;
            }
        }

        return (null, held);
    }

    private async Task<string?> SendPartsAsync(IReadOnlyDictionary<int, StoredPartObject> held, string[] partIds, CancellationToken cancellationToken)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var md5 = _options.ComputeMd5 ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
        var pool = new PartBufferPool(_options.Parallelism, (int)Math.Clamp(_length, 1, _partSize));
        var sending = new List<Task>();
        try
        {
            for (var index = 0; index < _partCount; index++)
            {
                var length = PartLength(index);
                var buffer = await pool.RentAsync(failed.Token);
                if (_source.CanSeek && !held.ContainsKey(index))
                {
                    // A file is read as fast as it is sent: the part goes out while the reader fills its buffer.
                    var fill = new PartFill();
                    sending.Add(SendPartAsync(index, buffer, length, fill, partIds, pool, failed));
                    await FillAsync(buffer, length, index, md5, fill, failed.Token);
                    continue;
                }

                try
                {
                    await FillAsync(buffer, length, index, md5, fill: null, failed.Token);
                }
                catch
                {
                    pool.Return(buffer);
                    throw;
                }

                if (held.TryGetValue(index, out var part) && PartMd5(buffer.AsSpan(0, length)) == part.Md5)
                {
                    pool.Return(buffer);
                    partIds[index] = part.Id;
                    Interlocked.Add(ref _bytesReused, length);
                    _partsReused++;
                    Interlocked.Increment(ref _partsDone);
                    Report();
                    continue;
                }

                sending.Add(SendPartAsync(index, buffer, length, fill: null, partIds, pool, failed));
            }
        }
        catch (Exception exception)
        {
            Interlocked.CompareExchange(ref _failure, exception, null);
            await failed.CancelAsync();
        }

        await Task.WhenAll(sending.Select(t => t.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)));
        if (_failure is not null)
        {
            // The caller's cancellation wins over the errors it caused in parts still in flight.
            cancellationToken.ThrowIfCancellationRequested();
            ExceptionDispatchInfo.Throw(_failure);
        }

        return md5 is null ? null : Convert.ToHexStringLower(md5.GetHashAndReset());
    }

    /// <summary>
    /// Reads part <paramref name="index"/> into <paramref name="buffer"/> in slices, feeding the whole file's MD5 and
    /// telling <paramref name="fill"/> how far it got; throws <see cref="IOException"/> when the source ends early.
    /// </summary>
    private async Task FillAsync(byte[] buffer, int length, int index, IncrementalHash? md5, PartFill? fill, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < length)
        {
            var slice = Math.Min(ReadSliceBytes, length - filled);
            var read = await _source.ReadAtLeastAsync(buffer.AsMemory(filled, slice), slice, throwOnEndOfStream: false, cancellationToken);
            md5?.AppendData(buffer, filled, read);
            filled += read;
            if (read < slice)
            {
                throw new IOException($"The source ended after {(long)index * _partSize + filled} bytes, but the upload was declared with {_length}; did the file change while being sent?");
            }

            fill?.Advance(filled);
        }
    }

    private async Task SendPartAsync(int index, byte[] buffer, int length, PartFill? fill, string[] partIds, PartBufferPool pool, CancellationTokenSource failed)
    {
        try
        {
            var part = await _uploads.AddPartCoreAsync(_uploadId, buffer.AsMemory(0, length), sent =>
            {
                Interlocked.Add(ref _bytesSent, sent);
                Report();
            }, failed.Token, fill);
            partIds[index] = part.Value.Id;
            Interlocked.Increment(ref _partsSent);
            Interlocked.Increment(ref _partsDone);
            if (_store is not null)
            {
                // Recorded even when the run is being cancelled: the server holds the part, a later run can use it.
                await _store.RecordPartAsync(index, part.Value.Id, CancellationToken.None);
            }

            Report();
        }
        catch (Exception exception)
        {
            // The first failure is the one to report; the cancellations it causes in other parts come after it.
            Interlocked.CompareExchange(ref _failure, exception, null);
            await failed.CancelAsync();
        }
        finally
        {
            pool.Return(buffer);
        }
    }

    /// <summary>
    /// Whether the upload is left pending for a later run: only with a state file, and only after an interruption
    /// (cancellation, a dropped connection, a server error still failing after the retries), never after a refusal.
    /// </summary>
    private bool CanResumeAfter(Exception exception) =>
        _store is not null && exception switch
        {
            OperationCanceledException or HttpRequestException or TimeoutRejectedException or TimeoutException => true,
            TesseraApiException api => api.Status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)api.Status >= 500,
            _ => false,
        };

    /// <summary>A failure no later run can repair: the upload is cancelled so nothing is left pending, and the state forgotten.</summary>
    private async Task AbandonAsync()
    {
        if (_uploadId.Length > 0)
        {
            await CancelQuietlyAsync(_uploadId);
        }

        _store?.Delete();
    }

    private async Task CancelQuietlyAsync(string uploadId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _uploads.CancelAsync(uploadId, timeout.Token);
        }
        catch (Exception exception) when (exception is TesseraApiException or HttpRequestException or OperationCanceledException or TimeoutRejectedException)
        {
            // Best effort: an upload that cannot be cancelled still expires on its own.
        }
    }

    // MD5 is the API's checksum for detecting damage, not a security measure.
    private static string PartMd5(ReadOnlySpan<byte> bytes)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        hash.AppendData(bytes);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private int PartLength(int index) => (int)Math.Min(_partSize, _length - ((long)index * _partSize));

    private void Report() =>
        _options.Progress?.Report(new UploadProgress(_uploadId, _length, Interlocked.Read(ref _bytesSent), Interlocked.Read(ref _bytesReused), Volatile.Read(ref _partsDone), _partCount));
}
