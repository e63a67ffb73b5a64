using System.IO.Hashing;
using System.Net;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Tessera.Contracts;

namespace Tessera.Client;

internal sealed partial class ChunkedUpload
{
    private const string ChecksumMismatchCode = "checksum_mismatch";

    /// <summary>Reads every part, sends those the server does not hold, fills <paramref name="partIds"/>; returns the whole file's MD5 when computed.</summary>
    private async Task<string?> SendPartsAsync(IReadOnlyDictionary<int, StoredPartObject> held, string[] partIds, CancellationToken cancellationToken)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var computeMd5 = _options.Md5 switch
        {
            Md5Policy.Always => true,
            Md5Policy.Never => false,
            _ => !_serverChecksCrc32C,
        };
        using var md5 = computeMd5 ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
        var pool = new PartBufferPool(_options.Parallelism, (int)Math.Clamp(_length, 1, _partSize));
        var sending = new List<Task>();
        try
        {
            for (var index = 0; index < _partCount; index++)
            {
                var length = PartLength(index);
                var buffer = await pool.RentAsync(failed.Token);
                var isHeld = held.TryGetValue(index, out var part);
                if (_source.CanSeek && !isHeld && !_serverChecksCrc32C)
                {
                    // A file is read as fast as it is sent: the part goes out while the reader fills its buffer. With
                    // a checksum to send, the part is read whole first, since the checksum goes in the request's headers.
                    var fill = new PartFill();
                    sending.Add(SendPartAsync(index, buffer, length, fill, crc32C: null, partIds, pool, failed));
                    await FillAsync(buffer, length, index, md5, crc: null, fill, failed.Token);
                    continue;
                }

                uint partCrc;
                try
                {
                    var crc = _serverChecksCrc32C || isHeld ? Crc32C.Create() : null;
                    await FillAsync(buffer, length, index, md5, crc, fill: null, failed.Token);
                    partCrc = crc?.GetCurrentHashAsUInt32() ?? 0;
                }
                catch
                {
                    pool.Return(buffer);
                    throw;
                }

                _partCrcs[index] = partCrc;
                if (isHeld && HeldPartMatches(part!, buffer.AsSpan(0, length), partCrc))
                {
                    pool.Return(buffer);
                    partIds[index] = part!.Id;
                    Interlocked.Add(ref _bytesReused, length);
                    _partsReused++;
                    Interlocked.Increment(ref _partsDone);
                    Report();
                    continue;
                }

                sending.Add(SendPartAsync(index, buffer, length, fill: null, _serverChecksCrc32C ? partCrc : null, partIds, pool, failed));
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
    /// the part's CRC32C and telling <paramref name="fill"/> how far it got; throws <see cref="IOException"/> when the
    /// source ends early.
    /// </summary>
    private async Task FillAsync(byte[] buffer, int length, int index, IncrementalHash? md5, Crc32? crc, PartFill? fill, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < length)
        {
            var slice = Math.Min(ReadSliceBytes, length - filled);
            var read = await _source.ReadAtLeastAsync(buffer.AsMemory(filled, slice), slice, throwOnEndOfStream: false, cancellationToken);
            md5?.AppendData(buffer, filled, read);
            crc?.Append(buffer.AsSpan(filled, read));
            filled += read;
            if (read < slice)
            {
                throw new IOException($"The source ended after {(long)index * _partSize + filled} bytes, but the upload was declared with {_length}; did the file change while being sent?");
            }

            fill?.Advance(filled);
        }
    }

    private async Task SendPartAsync(int index, byte[] buffer, int length, PartFill? fill, uint? crc32C, string[] partIds, PartBufferPool pool, CancellationTokenSource failed)
    {
        try
        {
            var part = await SendUntilIntactAsync(index, buffer.AsMemory(0, length), fill, crc32C, failed.Token);
            partIds[index] = part.Id;
            Interlocked.Increment(ref _partsSent);
            Interlocked.Increment(ref _partsDone);
            if (_store is not null)
            {
                // Recorded even when the run is being cancelled: the server holds the part, a later run can use it.
                await _store.RecordPartAsync(index, part.Id, CancellationToken.None);
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
    /// Sends a part; with its CRC32C, a part the server refuses as damaged (400 <c>checksum_mismatch</c>), or stores
    /// under another CRC32C, is sent again, up to <see cref="ChunkedUploadOptions.MaxPartSends"/> sends in all.
    /// </summary>
    private async Task<UploadPartObject> SendUntilIntactAsync(int index, ReadOnlyMemory<byte> data, PartFill? fill, uint? crc32C, CancellationToken cancellationToken)
    {
        for (var send = 1; ; send++)
        {
            long reported = 0;
            string damage;
            string? stored = null;
            try
            {
                var answer = await _uploads.AddPartCoreAsync(_uploadId, data, sent =>
                {
                    reported += sent;
                    Interlocked.Add(ref _bytesSent, sent);
                    Report();
                }, cancellationToken, fill, crc32C);
                if (crc32C is not { } expected || !Crc32C.TryParseHeaderValue(answer.Crc32C, out var answered) || answered == expected)
                {
                    return answer.Value;
                }

                // The damaged part stays on the server unnamed: completion names only the parts that arrived intact.
                stored = answer.Crc32C;
                damage = $"the server stored it with CRC32C {stored}";
            }
            catch (TesseraApiException exception) when (crc32C is not null && exception.Status == HttpStatusCode.BadRequest && exception.Code == ChecksumMismatchCode)
            {
                damage = exception.ApiMessage;
            }

            // What the damaged send reported is taken back: the part goes again from its start.
            Interlocked.Add(ref _bytesSent, -reported);
            if (send >= _options.MaxPartSends)
            {
                throw new ChecksumMismatchException(
                    $"Part {index + 1} of {_partCount} of upload {_uploadId} arrived damaged {send} time{(send == 1 ? "" : "s")} in a row (last: {damage}); something between this "
                    + "machine and the server changes bytes. Run the upload again later or over another network.",
                    Crc32C.ToHeaderValue(crc32C!.Value), stored);
            }

            Interlocked.Increment(ref _partsResent);
        }
    }

    /// <summary>
    /// Whether a part the server holds from an earlier run has the bytes just read: by its CRC32C, else (a part stored
    /// before checksums existed) by its MD5; a part with neither is sent again.
    /// </summary>
    private static bool HeldPartMatches(StoredPartObject part, ReadOnlySpan<byte> bytes, uint crc32C)
    {
        if (Crc32C.TryParseHeaderValue(part.Crc32C, out var held))
        {
            return held == crc32C;
        }

        return part.Md5 is { Length: > 0 } md5 && PartMd5(bytes) == md5;
    }

    // MD5 is the API's checksum for detecting damage, not a security measure.
    private static string PartMd5(ReadOnlySpan<byte> bytes)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        hash.AppendData(bytes);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
