using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Tessera.Contracts;

namespace Tessera.Client;

/// <summary>OpenAI's Files API.</summary>
public sealed class FilesClient
{
    private readonly TesseraClient _client;

    internal FilesClient(TesseraClient client) => _client = client;

    /// <summary>
    /// <c>POST /files</c> with the rest of <paramref name="content"/>, streamed. A stream that can seek is sent again
    /// if a retry is needed; one that cannot (standard input) is sent once and never retried.
    /// </summary>
    public async Task<FileObject> CreateAsync(Stream content, string filename, string purpose, ExpiresAfter? expiresAfter = null, CancellationToken cancellationToken = default) =>
        (await CreateWithResponseAsync(content, filename, purpose, expiresAfter, cancellationToken)).Value;

    public Task<ApiResponse<FileObject>> CreateWithResponseAsync(Stream content, string filename, string purpose, ExpiresAfter? expiresAfter = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var form = new MultipartFormDataContent
        {
            { new StringContent(purpose), "purpose" },
        };
        if (expiresAfter is not null)
        {
            form.Add(new StringContent(expiresAfter.Anchor), "expires_after[anchor]");
            form.Add(new StringContent(expiresAfter.Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)), "expires_after[seconds]");
        }

        // The stream stays the caller's: StreamContent would dispose it with the request.
        var file = new StreamContent(new LeaveOpenStream(content), 256 * 1024);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", filename);

        var request = _client.NewRequest(HttpMethod.Post, "files", form);
        if (!content.CanSeek)
        {
            request.Options.Set(TesseraResilience.NotReplayable, true);
        }

        return _client.SendAsync(request, TesseraJsonContext.Default.FileObject, cancellationToken);
    }

    /// <summary><c>POST /files</c> with the file at <paramref name="path"/>, named by its file name.</summary>
    public async Task<FileObject> CreateAsync(string path, string purpose, ExpiresAfter? expiresAfter = null, CancellationToken cancellationToken = default)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return await CreateAsync(stream, Path.GetFileName(path), purpose, expiresAfter, cancellationToken);
    }

    /// <summary><c>GET /files/{id}</c>.</summary>
    public async Task<FileObject> GetAsync(string fileId, CancellationToken cancellationToken = default) =>
        (await GetWithResponseAsync(fileId, cancellationToken)).Value;

    public Task<ApiResponse<FileObject>> GetWithResponseAsync(string fileId, CancellationToken cancellationToken = default) =>
        _client.SendAsync(_client.NewRequest(HttpMethod.Get, $"files/{TesseraClient.Escape(fileId)}"), TesseraJsonContext.Default.FileObject, cancellationToken);

    /// <summary><c>GET /files</c>: one page.</summary>
    public async Task<ListObject<FileObject>> ListAsync(FileListOptions? options = null, CancellationToken cancellationToken = default) =>
        (await ListWithResponseAsync(options, cancellationToken)).Value;

    public Task<ApiResponse<ListObject<FileObject>>> ListWithResponseAsync(FileListOptions? options = null, CancellationToken cancellationToken = default) =>
        _client.SendAsync(_client.NewRequest(HttpMethod.Get, "files" + QueryOf(options)), TesseraJsonContext.Default.ListObjectFileObject, cancellationToken);

    /// <summary>Every file, page after page while <c>has_more</c>, each page continuing after the last id of the one before.</summary>
    public async IAsyncEnumerable<FileObject> ListAllAsync(FileListOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var query = options ?? new FileListOptions();
        while (true)
        {
            var page = await ListAsync(query, cancellationToken);
            foreach (var file in page.Data)
            {
                yield return file;
            }

            var last = page.LastId ?? (page.Data.Count > 0 ? page.Data[^1].Id : null);
            if (!page.HasMore || last is null)
            {
                yield break;
            }

            query = query with { After = last };
        }
    }

    /// <summary><c>DELETE /files/{id}</c>.</summary>
    public async Task<DeletedFileObject> DeleteAsync(string fileId, CancellationToken cancellationToken = default) =>
        (await DeleteWithResponseAsync(fileId, cancellationToken)).Value;

    public Task<ApiResponse<DeletedFileObject>> DeleteWithResponseAsync(string fileId, CancellationToken cancellationToken = default) =>
        _client.SendAsync(_client.NewRequest(HttpMethod.Delete, $"files/{TesseraClient.Escape(fileId)}"), TesseraJsonContext.Default.DeletedFileObject, cancellationToken);

    /// <summary>
    /// <c>GET /files/{id}/content</c> from byte <paramref name="offset"/> on (a <c>Range</c> request when above 0, to
    /// resume a download). The bytes stream as they arrive; nothing is buffered whole. From byte 0, a file whose
    /// CRC32C the server sent is checked when the stream ends (see <see cref="FileContent"/>); from a later byte it is
    /// not, since the bytes before it are the caller's: pass their CRC32C to the overload that takes it.
    /// </summary>
    public Task<FileContent> OpenContentAsync(string fileId, long offset = 0, CancellationToken cancellationToken = default) =>
        OpenContentCoreAsync(fileId, offset, offset == 0 ? 0 : null, cancellationToken);

    /// <summary>
    /// <c>GET /files/{id}/content</c> from byte <paramref name="offset"/> on, to resume a download whose first
    /// <paramref name="offset"/> bytes the caller holds and whose CRC32C is <paramref name="crc32CBeforeOffset"/>
    /// (<see cref="Tessera.Contracts.Crc32C.Compute"/>): when the stream ends, those bytes and the ones read must add up
    /// to the file's CRC32C the server sent, else the last read throws <see cref="ChecksumMismatchException"/>.
    /// </summary>
    public Task<FileContent> OpenContentAsync(string fileId, long offset, uint crc32CBeforeOffset, CancellationToken cancellationToken = default) =>
        OpenContentCoreAsync(fileId, offset, crc32CBeforeOffset, cancellationToken);

    private async Task<FileContent> OpenContentCoreAsync(string fileId, long offset, uint? crc32CBeforeOffset, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        using var request = _client.NewRequest(HttpMethod.Get, $"files/{TesseraClient.Escape(fileId)}/content");
        request.Headers.Accept.Clear();
        if (offset > 0)
        {
            request.Headers.Range = new RangeHeaderValue(offset, null);
        }

        var response = await _client.SendForResponseAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            if (offset > 0 && response.StatusCode != HttpStatusCode.PartialContent)
            {
                throw new NotSupportedException($"The server ignored the Range request for {fileId} (it answered {(int)response.StatusCode}); the download cannot resume at byte {offset}.");
            }

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            if (crc32CBeforeOffset is { } before && Crc32C.TryParseHeaderValue(TesseraClient.HeaderOf(response, ChecksumHeaders.Crc32C), out var expected))
            {
                stream = new Crc32CCheckingStream(stream, fileId, expected, before);
            }

            return new FileContent(response, stream, offset);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static string QueryOf(FileListOptions? options) => options is null
        ? ""
        : QueryString.Of(("purpose", options.Purpose), ("limit", QueryString.Of(options.Limit)), ("order", options.Order), ("after", options.After));
}
