namespace Tessera.Client;

public sealed partial class UploadsClient
{
    /// <summary>
    /// Uploads the file at <paramref name="path"/> in parallel parts and completes the upload. Against a server that
    /// checks CRC32C (Tessera) every part goes with its CRC32C and the completion with the whole file's; a part that
    /// arrives damaged is sent again (see <see cref="ChunkedUploadOptions.MaxPartSends"/>), then
    /// <see cref="ChecksumMismatchException"/>. Against one that does not (OpenAI's) the completion carries the file's
    /// MD5 instead (see <see cref="ChunkedUploadOptions.Md5"/>).
    /// With <see cref="ChunkedUploadOptions.Resume"/> (the default) an interrupted run (a dropped connection, a
    /// killed process, a cancelled token) leaves the upload pending and a small state file behind; running again
    /// for the same unchanged file continues it, sending only the parts the server does not hold. A refusal that no
    /// retry can change (a 4xx, a file that changed while being read) cancels the upload instead, so nothing is
    /// left pending. Throws <see cref="TesseraApiException"/> for an error answer.
    /// </summary>
    public async Task<ChunkedUploadResult> UploadFileAsync(string path, string purpose, ChunkedUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ChunkedUploadOptions();
        var info = new FileInfo(path);
        // Unbuffered: the reader asks for whole parts at a time.
        await using var source = new FileStream(info.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        using var store = options.Resume ? ResumeStateStore.Open(options.StateDirectory, _client.BaseUrl, info) : null;
        return await new ChunkedUpload(this, source, options.Filename ?? info.Name, info.Length, purpose, options, store).RunAsync(cancellationToken);
    }

    /// <summary>
    /// Uploads <paramref name="bytes"/> bytes read from <paramref name="source"/> in parallel parts. A stream cannot
    /// be found again by a later run, so it does not resume: any failure cancels the upload.
    /// </summary>
    public Task<ChunkedUploadResult> UploadFileAsync(Stream source, string filename, long bytes, string purpose, ChunkedUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new ChunkedUpload(this, source, filename, bytes, purpose, options ?? new ChunkedUploadOptions(), store: null).RunAsync(cancellationToken);
    }
}
