using System.Globalization;
using System.Net;
using Microsoft.Net.Http.Headers;
using Tessera.Contracts;
using Tessera.Domain;
using Tessera.Server.Content;
using Tessera.Server.Hosting;
using Tessera.Server.Http;
using Tessera.Server.Ingest;
using Tessera.Server.OpenApi;
using Tessera.Server.Quotas;
using Tessera.Server.Reclaiming;
using Tessera.Server.Telemetry;
using Tessera.Storage;

namespace Tessera.Server.Apis;

/// <summary>OpenAI's Files API (docs/api.md section 3, "Files").</summary>
public static class FilesApi
{
    // The text fields POST /files defines; any other field is read past and not kept.
    private static readonly string[] FormFields = ["purpose", "expires_after[anchor]", "expires_after[seconds]"];

    public static RouteGroupBuilder MapFilesApi(this RouteGroupBuilder api)
    {
        var files = api.MapGroup("/files").WithTags("Files");
        // The collection's own routes are mapped on the parent with their full path: mapped as the group's "" they
        // would be named "/v1/files/" in http.route on traces and metrics, where a client sends "/v1/files".
        api.MapPost("/files", CreateFileAsync).WithTags("Files")
            .Describe("createFile", "Upload a file that can be used across various endpoints.")
            .AcceptsMultipart(MultipartForms.CreateFile).AnswersJson<FileObject>().AnswersChecksum(checksRequest: true)
            .RefusesWith(StatusCodes.Status507InsufficientStorage);
        api.MapGet("/files", ListFilesAsync).WithTags("Files")
            .Describe("listFiles", "Returns a list of files.")
            .WithQueryParameters([
                new("purpose", "Only return files with the given purpose.", AllowedValues: Purposes.Listable),
                .. ListPaging.Parameters("A file id: the page continues after it.")])
            .AnswersJson<ListObject<FileObject>>();
        files.MapGet("/{fileId}", GetFileAsync)
            .Describe("retrieveFile", "Returns information about a specific file.")
            .AnswersJson<FileObject>().AnswersChecksum(checksRequest: false).RefusesWith(StatusCodes.Status404NotFound);
        files.MapDelete("/{fileId}", DeleteFileAsync)
            .Describe("deleteFile", "Delete a file.")
            .AnswersJson<DeletedFileObject>().RefusesWith(StatusCodes.Status404NotFound);
        files.MapGet("/{fileId}/content", GetFileContentAsync).AddEndpointFilter<ContentServedFilter>()
            .Describe("downloadFile", "Returns the contents of the specified file; honours Range.")
            .Produces<Stream>(StatusCodes.Status200OK, "application/octet-stream")
            .Produces<Stream>(StatusCodes.Status206PartialContent, "application/octet-stream").AnswersChecksum(checksRequest: false)
            .RefusesWith(StatusCodes.Status404NotFound, StatusCodes.Status416RangeNotSatisfiable);
        return api;
    }

    // "Upload a file that can be used across various endpoints. Individual files can be up to 512 MB."
    internal static async Task<IResult> CreateFileAsync(
        HttpContext http, IMetadataStore metadata, FormIngest ingest, IIdGenerator ids, UploadClock clock, TesseraLimits limits, ProjectQuotas quotas, ILogger<StoredFile> logger)
    {
        var cancellationToken = http.RequestAborted;
        var expectedCrc = ChecksumHeader.Expected(http.Request);
        var project = http.CallerProject();
        var quota = quotas.For(project);
        var quotaRoom = quota.Bytes is null && quota.Files is null
            ? long.MaxValue
            : QuotaRequirements.FileFitsQuota(project, quota, await metadata.ReadProjectUsageAsync(project, cancellationToken), http.Request.ContentLength);
        BodyLimits.Allow(http, Math.Min(limits.MaxFileBytes, quotaRoom), limits.MaxDrainBytes);
        var form = await ingest.ReadAsync(http.Request, "file", FormFields, Math.Min(limits.MaxFileBytes, quotaRoom),
            () => quotaRoom < limits.MaxFileBytes
                ? QuotaRequirements.FileOverQuota(project, quota, quotaRoom, http.Request.ContentLength)
                : ApiErrors.InvalidField("file", $"A file may hold at most {TesseraLimits.Describe(limits.MaxFileBytes)}; this one is larger. Use the Uploads API for larger files."),
            cancellationToken);

        try
        {
            var received = form.File ?? throw ApiErrors.InvalidField("file", "Missing required parameter: 'file'.");
            ChecksumHeader.Matches(expectedCrc, received.Crc32C, "the file's bytes as received", "Nothing was stored: send the file again.");
            var filename = string.IsNullOrEmpty(received.FileName)
                ? throw ApiErrors.InvalidField("file", "The 'file' field must carry a file name (Content-Disposition filename).")
                : received.FileName;
            UploadRequirements.TextFitsLimit(filename, "file", TesseraLimits.MaxFilenameBytes, "file name");
            var purpose = form.Texts.GetValueOrDefault("purpose") ?? throw ApiErrors.InvalidField("purpose", "Missing required parameter: 'purpose'.");
            UploadRequirements.TextFitsLimit(purpose, "purpose", TesseraLimits.MaxPurposeBytes);
            if (!Purposes.IsAccepted(purpose))
            {
                throw ApiErrors.InvalidField("purpose", Purposes.NotOneOfMessage(purpose, Purposes.Accepted, "purpose"));
            }

            var expiresAfterSeconds = ReadExpiresAfter(form.Texts, limits);
            var now = clock.Now;
            var file = new StoredFile
            {
                Id = ids.NewFileId(),
                ProjectId = project,
                Filename = filename,
                Purpose = purpose,
                Bytes = received.Bytes,
                CreatedAt = now,
                ExpiresAt = FileExpiry.ExpiresAt(purpose, expiresAfterSeconds, now, limits),
                Crc32C = received.Crc32C,
            };
            // Not the request's token: once the bytes are durable, recording them must not be torn by a disconnect.
            if (await metadata.CreateFileAsync(file, new FileSegment(received.Key, received.Bytes, received.Crc32C), quota, CancellationToken.None) is { } refusal)
            {
                throw ApiErrors.QuotaExceeded(project, refusal,
                    refusal.Kind == QuotaKind.Bytes ? $"This file of {ByteSize.Describe(file.Bytes)}" : "Creating 1 more file");
            }

            logger.FileCreated(file.Id, file.Bytes);
            ChecksumHeader.Write(http.Response, file.Crc32C);
            return TypedResults.Ok(file.ToContract());
        }
        catch
        {
            if (form.File is { } orphan)
            {
                await ingest.DiscardAsync(orphan.Key);
            }

            throw;
        }
    }

    // "Returns a list of files."
    internal static async Task<IResult> ListFilesAsync(HttpContext http, IMetadataStore metadata, UploadClock clock)
    {
        var query = http.Request.Query;
        var purpose = ListPaging.Single(query, "purpose");
        if (purpose is not null && !Purposes.IsListable(purpose))
        {
            throw ApiErrors.InvalidField("purpose", Purposes.NotOneOfMessage(purpose, Purposes.Listable, "purpose"));
        }

        var (limit, order, after) = ListPaging.Read(query);
        var (projectId, now) = (http.CallerProject(), clock.Now);
        return await StreamedList<FileObject>.StartAsync(after, limit, ReadChunkAsync, TesseraJsonContext.Default.FileObject, f => f.Id, http.RequestAborted)
            ?? throw ApiErrors.InvalidField("after", $"No such File object: {ListPaging.Shorten(after!)} - 'after' must name a file of an earlier page.");

        async Task<ListChunk<FileObject>?> ReadChunkAsync(string? cursor, int count, CancellationToken cancellationToken) =>
            await metadata.ListFilesAsync(projectId, new FileListQuery(purpose, count, order, cursor), now, cancellationToken) is { } page
                ? new ListChunk<FileObject>(page.Files.Select(f => f.ToContract()).ToList(), page.HasMore)
                : null;
    }

    // "Returns information about a specific file."
    internal static async Task<IResult> GetFileAsync(string fileId, HttpContext http, IMetadataStore metadata, UploadClock clock)
    {
        var file = await metadata.FindFileAsync(http.CallerProject(), fileId, clock.Now, http.RequestAborted) ?? throw ApiErrors.NoSuchFile(fileId);
        ChecksumHeader.Write(http.Response, file.Crc32C);
        return TypedResults.Ok(file.ToContract());
    }

    // "Delete a file and remove it from all vector stores."
    internal static async Task<IResult> DeleteFileAsync(string fileId, HttpContext http, IMetadataStore metadata, UploadClock clock, ReclaimSignal reclaimer, ILogger<StoredFile> logger)
    {
        if (!await metadata.DeleteFileAsync(http.CallerProject(), fileId, clock.Now, http.RequestAborted))
        {
            throw ApiErrors.NoSuchFile(fileId);
        }

        logger.FileDeleted(fileId);
        reclaimer.Wake();
        return TypedResults.Ok(ContractMapping.DeletedFile(fileId));
    }

    // "Returns the contents of the specified file."
    internal static async Task<IResult> GetFileContentAsync(string fileId, HttpContext http, IMetadataStore metadata, IBlobStore blobs, UploadClock clock)
    {
        var file = await metadata.FindFileAsync(http.CallerProject(), fileId, clock.Now, http.RequestAborted) ?? throw ApiErrors.NoSuchFile(fileId);
        RangeIsSatisfiable(http.Request, file.Bytes);
        var segments = await metadata.ListFileSegmentsAsync(file.Id, http.RequestAborted);
        http.Response.Headers.ContentDisposition = Attachment(file.Filename);
        // The whole file's checksum, on a range too: a client resuming a download checks the bytes it has and the rest.
        ChecksumHeader.Write(http.Response, file.Crc32C);
        // Files never change, so the id is a strong validator.
        return TypedResults.Stream(
            new SegmentedContentStream(blobs, segments, file.Bytes),
            contentType: "application/octet-stream",
            lastModified: DateTimeOffset.FromUnixTimeSeconds(file.CreatedAt),
            entityTag: new EntityTagHeaderValue($"\"{file.Id}\""),
            enableRangeProcessing: true);
    }

    /// <summary>
    /// <c>attachment</c>, so a browser saves the bytes rather than showing them, with the stored name twice: quoted
    /// and made ASCII-safe in <c>filename</c>, and exactly, percent-encoded as UTF-8, in <c>filename*</c> (RFC 6266),
    /// so no name (quotes, semicolons, CR or LF, any script) can break the header or add to it.
    /// </summary>
    private static string Attachment(string filename)
    {
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(filename);
        return disposition.ToString();
    }

    /// <summary>
    /// ASP.NET Core's range processing answers a range that starts past the end with a bare 416; this one says so in
    /// the error envelope instead. Every other case (no range, several ranges, a valid one) is left to it.
    /// </summary>
    private static void RangeIsSatisfiable(HttpRequest request, long length)
    {
        if (!RangeHeaderValue.TryParse(request.Headers.Range.ToString(), out var range)
            || !range.Unit.Equals("bytes", StringComparison.OrdinalIgnoreCase) || range.Ranges.Count != 1)
        {
            return;
        }

        var only = range.Ranges.First();
        var satisfiable = only.From is { } from ? from < length : only.To is > 0 && length > 0;
        if (!satisfiable)
        {
            request.HttpContext.Response.Headers.ContentRange = $"bytes */{length}";
            throw new TesseraException(HttpStatusCode.RequestedRangeNotSatisfiable, ApiErrors.InvalidRequest,
                $"The requested range is not satisfiable: the file has {length} bytes.", param: "Range");
        }
    }

    private static int? ReadExpiresAfter(IReadOnlyDictionary<string, string> texts, TesseraLimits limits)
    {
        var anchor = texts.GetValueOrDefault("expires_after[anchor]");
        var secondsText = texts.GetValueOrDefault("expires_after[seconds]");
        if (anchor is null && secondsText is null)
        {
            return null;
        }

        FileExpiry.AnchorIsCreatedAt(anchor ?? throw ApiErrors.InvalidField("expires_after[anchor]", "Missing required parameter: 'expires_after[anchor]'."), "expires_after[anchor]");
        if (!long.TryParse(secondsText ?? throw ApiErrors.InvalidField("expires_after[seconds]", "Missing required parameter: 'expires_after[seconds]'."),
                NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            throw ApiErrors.InvalidField("expires_after[seconds]", $"'{ListPaging.Shorten(secondsText)}' is not of type 'integer' - 'expires_after[seconds]'");
        }

        FileExpiry.SecondsInRange(seconds, limits, "expires_after[seconds]");
        return (int)seconds;
    }
}
