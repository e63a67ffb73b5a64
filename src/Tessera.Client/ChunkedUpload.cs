using System.Net;
using Polly.Timeout;
using Tessera.Contracts;

namespace Tessera.Client;

/// <summary>
/// One run of a chunked upload. The source is read once, in order, by one reader that fills part buffers and, as
/// they fill, computes each part's CRC32C (against a server that checks it) and feeds the whole file's MD5 (when
/// asked for, or against a server that does not check CRC32C); full buffers go out as parts, several at once, each
/// with its CRC32C; completion names them in order with the file's CRC32C combined from the parts'. Parts an earlier
/// run sent are still read and checksummed but not sent again when the server holds a part of that size and checksum
/// for their index.
/// </summary>
internal sealed partial class ChunkedUpload
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
    private int _partsResent;
    private bool _serverChecksCrc32C;
    private uint[] _partCrcs = [];
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
            var created = await _uploads.CreateWithResponseAsync(new CreateUploadRequest
            {
                Filename = _filename,
                Purpose = _purpose,
                Bytes = _length,
                MimeType = _options.MimeType ?? MimeTypeGuess.FromFileName(_filename),
                ExpiresAfter = _options.ExpiresAfter,
            }, cancellationToken);
            _uploadId = created.Value.Id;
            _serverChecksCrc32C = created.ServerChecksCrc32C;
            if (_store is not null)
            {
                await _store.StartAsync(_uploadId, _partSize, _serverChecksCrc32C, cancellationToken);
            }
        }

        _partCount = (int)((_length + _partSize - 1) / _partSize);
        _partCrcs = new uint[_partCount];
        try
        {
            var partIds = new string[_partCount];
            var md5 = await SendPartsAsync(held, partIds, cancellationToken);
            uint? fileCrc = _serverChecksCrc32C ? Crc32C.Combine(_partCrcs.Select((crc, index) => (crc, (long)PartLength(index)))) : null;
            var completed = await _uploads.CompleteCoreAsync(_uploadId, new CompleteUploadRequest { PartIds = partIds, Md5 = md5 }, fileCrc, cancellationToken);
            _store?.Delete();
            CheckCompletedFile(completed, fileCrc);
            return new ChunkedUploadResult
            {
                Upload = completed.Value,
                Md5 = md5,
                Crc32C = fileCrc is { } crc ? Crc32C.ToHeaderValue(crc) : null,
                PartsSent = _partsSent,
                PartsReused = _partsReused,
                PartsResent = _partsResent,
                ResumeNotice = notice,
            };
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
        _serverChecksCrc32C = state.ServerChecksCrc32C;
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

    /// <summary>
    /// Whether the upload is left pending for a later run: only with a state file, and only after an interruption
    /// (cancellation, a dropped connection, a server error still failing after the retries), never after a refusal.
    /// </summary>
    private bool CanResumeAfter(Exception exception) =>
        _store is not null && exception switch
        {
            OperationCanceledException or HttpRequestException or TimeoutRejectedException or TimeoutException => true,
            // Bytes damaged on the way: the parts that arrived intact are kept for a later run.
            ChecksumMismatchException => true,
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

    /// <summary>Throws when the server's CRC32C for the completed file differs from the one the parts sent add up to.</summary>
    private void CheckCompletedFile(ApiResponse<UploadObject> completed, uint? fileCrc)
    {
        if (fileCrc is not { } expected || !Crc32C.TryParseHeaderValue(completed.Crc32C, out var stored) || stored == expected)
        {
            return;
        }

        throw new ChecksumMismatchException(
            $"Upload {_uploadId} completed as file {completed.Value.File?.Id}, but the server's CRC32C for it is {completed.Crc32C} where the parts sent add up to "
            + $"{Crc32C.ToHeaderValue(expected)}: the stored file is not the one read here. Delete it and upload the file again.",
            Crc32C.ToHeaderValue(expected), completed.Crc32C);
    }

    private int PartLength(int index) => (int)Math.Min(_partSize, _length - ((long)index * _partSize));

    private void Report() =>
        _options.Progress?.Report(new UploadProgress(_uploadId, _length, Interlocked.Read(ref _bytesSent), Interlocked.Read(ref _bytesReused), Volatile.Read(ref _partsDone), _partCount));
}
