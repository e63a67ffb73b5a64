using System.Buffers;
using System.Runtime.CompilerServices;
using Tessera.Contracts;

namespace Tessera.Client;

/// <summary>OpenAI's Uploads API, Tessera's three read-only extensions, and the resumable chunked upload.</summary>
public sealed partial class UploadsClient
{
    /// <summary>The largest part OpenAI and Tessera accept by default (64 MiB).</summary>
    public const int MaxPartBytes = 64 << 20;

    /// <summary>The most parts a Tessera server lets one upload have by default (<c>Tessera:Limits:MaxPartsPerUpload</c>; 10,000, as S3).</summary>
    public const int MaxPartsPerUpload = 10_000;

    private readonly TesseraClient _client;

    internal UploadsClient(TesseraClient client) => _client = client;

    /// <summary><c>POST /uploads</c>: a pending upload that parts can be added to.</summary>
    public async Task<UploadObject> CreateAsync(CreateUploadRequest request, CancellationToken cancellationToken = default) =>
        (await CreateWithResponseAsync(request, cancellationToken)).Value;

    public Task<ApiResponse<UploadObject>> CreateWithResponseAsync(CreateUploadRequest request, CancellationToken cancellationToken = default) =>
        _client.SendAsync(
            _client.NewRequest(HttpMethod.Post, "uploads", TesseraClient.JsonContent(request, TesseraJsonContext.Default.CreateUploadRequest)),
            TesseraJsonContext.Default.UploadObject, cancellationToken);

    /// <summary><c>GET /uploads/{id}</c> (Tessera's extension; OpenAI answers 404).</summary>
    public async Task<UploadObject> GetAsync(string uploadId, CancellationToken cancellationToken = default) =>
        (await GetWithResponseAsync(uploadId, cancellationToken)).Value;

    public Task<ApiResponse<UploadObject>> GetWithResponseAsync(string uploadId, CancellationToken cancellationToken = default) =>
        _client.SendAsync(_client.NewRequest(HttpMethod.Get, $"uploads/{TesseraClient.Escape(uploadId)}"), TesseraJsonContext.Default.UploadObject, cancellationToken);

    /// <summary>
    /// <c>GET /uploads</c> (Tessera's extension; OpenAI answers 404): one page of the project's pending uploads, each
    /// with the bytes its parts hold so far.
    /// </summary>
    public async Task<ListObject<PendingUploadObject>> ListAsync(UploadListOptions? options = null, CancellationToken cancellationToken = default) =>
        (await ListWithResponseAsync(options, cancellationToken)).Value;

    public Task<ApiResponse<ListObject<PendingUploadObject>>> ListWithResponseAsync(UploadListOptions? options = null, CancellationToken cancellationToken = default) =>
        _client.SendAsync(
            _client.NewRequest(HttpMethod.Get, "uploads" + (options is null ? "" : QueryString.Of(("limit", QueryString.Of(options.Limit)), ("order", options.Order), ("after", options.After)))),
            TesseraJsonContext.Default.ListObjectPendingUploadObject, cancellationToken);

    /// <summary>Every pending upload, page after page while <c>has_more</c>, each page continuing after the last id of the one before.</summary>
    public async IAsyncEnumerable<PendingUploadObject> ListAllAsync(UploadListOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var query = options ?? new UploadListOptions();
        while (true)
        {
            var page = await ListAsync(query, cancellationToken);
            foreach (var upload in page.Data)
            {
                yield return upload;
            }

            var last = page.LastId ?? (page.Data.Count > 0 ? page.Data[^1].Id : null);
            if (!page.HasMore || last is null)
            {
                yield break;
            }

            query = query with { After = last };
        }
    }

    /// <summary><c>POST /uploads/{id}/parts</c> with the bytes of <paramref name="data"/>, which stays the caller's (it is not copied).</summary>
    public async Task<UploadPartObject> AddPartAsync(string uploadId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        (await AddPartWithResponseAsync(uploadId, data, cancellationToken)).Value;

    public Task<ApiResponse<UploadPartObject>> AddPartWithResponseAsync(string uploadId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        AddPartCoreAsync(uploadId, data, null, cancellationToken);

    /// <summary>
    /// <c>POST /uploads/{id}/parts</c> with the rest of <paramref name="data"/>. The part is read into a pooled buffer
    /// first (a part is at most <see cref="MaxPartBytes"/>), so a retry can send it again even when the stream cannot
    /// seek (standard input); a longer stream throws <see cref="ArgumentException"/> before anything is sent.
    /// </summary>
    public async Task<UploadPartObject> AddPartAsync(string uploadId, Stream data, CancellationToken cancellationToken = default) =>
        (await AddPartWithResponseAsync(uploadId, data, cancellationToken)).Value;

    public async Task<ApiResponse<UploadPartObject>> AddPartWithResponseAsync(string uploadId, Stream data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var length = data.CanSeek ? data.Length - data.Position : MaxPartBytes + 1L;
        if (length > MaxPartBytes + 1L)
        {
            throw new ArgumentException($"A part holds at most {MaxPartBytes} bytes; this stream has {length}.", nameof(data));
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(length, 1));
        try
        {
            var read = await data.ReadAtLeastAsync(buffer.AsMemory(0, (int)length), (int)length, throwOnEndOfStream: false, cancellationToken);
            if (read > MaxPartBytes)
            {
                throw new ArgumentException($"A part holds at most {MaxPartBytes} bytes; this stream has more.", nameof(data));
            }

            return await AddPartCoreAsync(uploadId, buffer.AsMemory(0, read), null, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Sends a part; with <paramref name="crc32C"/> the server checks the bytes it receives against it (Tessera's extension).</summary>
    internal Task<ApiResponse<UploadPartObject>> AddPartCoreAsync(
        string uploadId, ReadOnlyMemory<byte> data, Action<long>? onBytesSent, CancellationToken cancellationToken, PartFill? fill = null, uint? crc32C = null)
    {
        var request = _client.NewRequest(HttpMethod.Post, $"uploads/{TesseraClient.Escape(uploadId)}/parts", new PartContent(data, _client.Options.SendIdleTimeout, onBytesSent, fill));
        AddChecksum(request, crc32C);
        return _client.SendAsync(request, TesseraJsonContext.Default.UploadPartObject, cancellationToken);
    }

    /// <summary><c>GET /uploads/{id}/parts</c> (Tessera's extension): the parts received so far, with size and CRC32C (MD5 when known). OpenAI answers 404.</summary>
    public async Task<ListObject<StoredPartObject>> ListPartsAsync(string uploadId, CancellationToken cancellationToken = default) =>
        (await ListPartsWithResponseAsync(uploadId, cancellationToken)).Value;

    public Task<ApiResponse<ListObject<StoredPartObject>>> ListPartsWithResponseAsync(string uploadId, CancellationToken cancellationToken = default) =>
        _client.SendAsync(_client.NewRequest(HttpMethod.Get, $"uploads/{TesseraClient.Escape(uploadId)}/parts"),
            TesseraJsonContext.Default.ListObjectStoredPartObject, cancellationToken);

    /// <summary><c>POST /uploads/{id}/complete</c>: the upload with its nested file.</summary>
    public async Task<UploadObject> CompleteAsync(string uploadId, CompleteUploadRequest request, CancellationToken cancellationToken = default) =>
        (await CompleteWithResponseAsync(uploadId, request, cancellationToken)).Value;

    public Task<ApiResponse<UploadObject>> CompleteWithResponseAsync(string uploadId, CompleteUploadRequest request, CancellationToken cancellationToken = default) =>
        CompleteCoreAsync(uploadId, request, crc32C: null, cancellationToken);

    /// <summary>Completes; with <paramref name="crc32C"/> (the whole file's) the server refuses parts that do not add up to it (Tessera's extension).</summary>
    internal Task<ApiResponse<UploadObject>> CompleteCoreAsync(string uploadId, CompleteUploadRequest request, uint? crc32C, CancellationToken cancellationToken)
    {
        var message = _client.NewRequest(HttpMethod.Post, $"uploads/{TesseraClient.Escape(uploadId)}/complete",
            TesseraClient.JsonContent(request, TesseraJsonContext.Default.CompleteUploadRequest));
        AddChecksum(message, crc32C);
        return _client.SendAsync(message, TesseraJsonContext.Default.UploadObject, cancellationToken);
    }

    /// <summary><c>POST /uploads/{id}/cancel</c>.</summary>
    public async Task<UploadObject> CancelAsync(string uploadId, CancellationToken cancellationToken = default) =>
        (await CancelWithResponseAsync(uploadId, cancellationToken)).Value;

    public Task<ApiResponse<UploadObject>> CancelWithResponseAsync(string uploadId, CancellationToken cancellationToken = default) =>
        _client.SendAsync(_client.NewRequest(HttpMethod.Post, $"uploads/{TesseraClient.Escape(uploadId)}/cancel"), TesseraJsonContext.Default.UploadObject, cancellationToken);

    private static void AddChecksum(HttpRequestMessage request, uint? crc32C)
    {
        if (crc32C is { } crc)
        {
            request.Headers.TryAddWithoutValidation(ChecksumHeaders.Crc32C, Crc32C.ToHeaderValue(crc));
        }
    }
}
