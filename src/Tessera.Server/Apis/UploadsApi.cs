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
using static Tessera.Domain.UploadRequirements;

namespace Tessera.Server.Apis;

/// <summary>OpenAI's Uploads API (docs/api.md section 3) and our three read-only extensions (docs/api.md section 6).</summary>
public static class UploadsApi
{
    private static readonly string[] CreateFields = ["filename", "purpose", "bytes", "mime_type", "expires_after"];
    private static readonly string[] ExpiresAfterFields = ["anchor", "seconds"];
    private static readonly string[] CompleteFields = ["part_ids", "md5"];

    public static RouteGroupBuilder MapUploadsApi(this RouteGroupBuilder api)
    {
        var uploads = api.MapGroup("/uploads").WithTags("Uploads");
        // The collection's own routes are mapped on the parent with their full path: mapped as the group's "" they
        // would be named "/v1/uploads/" in http.route on traces and metrics, where a client sends "/v1/uploads".
        api.MapPost("/uploads", CreateUploadAsync).WithTags("Uploads")
            .Describe("createUpload", "Creates an intermediate Upload object that you can add Parts to.")
            .AcceptsJson<CreateUploadRequest>().AnswersJson<UploadObject>()
            .RefusesWith(StatusCodes.Status507InsufficientStorage);
        api.MapGet("/uploads", ListPendingUploadsAsync).WithTags("Uploads")
            .Describe("listUploads", "Tessera's extension: lists the project's pending uploads, paged like files, each with the bytes its parts hold so far.")
            .WithQueryParameters(ListPaging.Parameters("An upload id: the page continues after it."))
            .AnswersJson<ListObject<PendingUploadObject>>();
        uploads.MapGet("/{uploadId}", GetUploadAsync)
            .Describe("retrieveUpload", "Tessera's extension: returns the Upload, with its File once completed, so a client that lost its state can find out where it stands.")
            .AnswersJson<UploadObject>().RefusesWith(StatusCodes.Status404NotFound);
        uploads.MapPost("/{uploadId}/parts", AddPartAsync).WithMetadata(PartRefusalCounter.Route)
            .RequireRateLimiting(ProjectRateLimiting.ConcurrentPartsPolicy)
            .Describe("addUploadPart", "Adds a Part to an Upload object.")
            .AcceptsMultipart(MultipartForms.AddUploadPart).AnswersJson<UploadPartObject>().AnswersChecksum(checksRequest: true)
            .RefusesWith(StatusCodes.Status404NotFound, StatusCodes.Status507InsufficientStorage);
        uploads.MapGet("/{uploadId}/parts", ListPartsAsync)
            .Describe("listUploadParts", "Tessera's extension: lists the Parts received so far, with their size and MD5, so a client can resume an interrupted upload.")
            .AnswersJson<ListObject<StoredPartObject>>().RefusesWith(StatusCodes.Status404NotFound);
        uploads.MapPost("/{uploadId}/complete", CompleteUploadAsync).AddEndpointFilter<CompleteDurationFilter>()
            .Describe("completeUpload", "Completes the Upload: the named Parts, in order, become a File.")
            .AcceptsJson<CompleteUploadRequest>().AnswersJson<UploadObject>().AnswersChecksum(checksRequest: true)
            .RefusesWith(StatusCodes.Status404NotFound, StatusCodes.Status507InsufficientStorage);
        uploads.MapPost("/{uploadId}/cancel", CancelUploadAsync)
            .Describe("cancelUpload", "Cancels the Upload. No Parts may be added after an Upload is cancelled.")
            .AnswersJson<UploadObject>().RefusesWith(StatusCodes.Status404NotFound);
        return api;
    }

    // "Creates an intermediate Upload object that you can add Parts to. Currently, an Upload can accept at most
    // 8 GB in total and expires after an hour after you create it."
    internal static async Task<IResult> CreateUploadAsync(
        HttpContext http, IMetadataStore metadata, IIdGenerator ids, UploadClock clock, TesseraLimits limits, ProjectQuotas quotas)
    {
        var cancellationToken = http.RequestAborted;
        using var body = await JsonRequest.ReadObjectAsync(http.Request, limits.MaxJsonBodyBytes, CreateFields, cancellationToken);

        var filename = body.RequiredString("filename");
        if (filename.Length == 0)
        {
            throw ApiErrors.InvalidField("filename", "'' is too short - 'filename'");
        }

        TextFitsLimit(filename, "filename", TesseraLimits.MaxFilenameBytes);
        var purpose = body.RequiredString("purpose");
        TextFitsLimit(purpose, "purpose", TesseraLimits.MaxPurposeBytes);
        if (!Purposes.IsAccepted(purpose))
        {
            throw ApiErrors.InvalidField("purpose", Purposes.NotOneOfMessage(purpose, Purposes.Accepted, "purpose"));
        }

        var bytes = body.RequiredInteger("bytes");
        if (bytes < 0 || bytes > limits.MaxUploadBytes)
        {
            throw ApiErrors.InvalidField("bytes", $"{bytes} is not within [0, {limits.MaxUploadBytes}] - 'bytes': an upload holds at most {limits.MaxUploadBytes} bytes.");
        }

        var mimeType = body.RequiredString("mime_type");
        TextFitsLimit(mimeType, "mime_type", TesseraLimits.MaxMimeTypeBytes);
        if (mimeType.Length == 0 || (limits.StrictMimeTypes && !MimeTypes.SuitsPurpose(mimeType, purpose)))
        {
            var allowed = MimeTypes.AllowedFor(purpose);
            throw ApiErrors.InvalidField("mime_type", allowed is null || !limits.StrictMimeTypes
                ? $"'{mimeType}' is not a valid MIME type - 'mime_type'"
                : Purposes.NotOneOfMessage(mimeType, allowed, "mime_type"));
        }

        int? expiresAfterSeconds = null;
        if (body.OptionalObject("expires_after", ExpiresAfterFields) is { } expiresAfter)
        {
            FileExpiry.AnchorIsCreatedAt(JsonRequest.StringOf(JsonRequest.RequiredProperty(expiresAfter, "expires_after", "anchor"), "expires_after.anchor"), "expires_after.anchor");
            var seconds = JsonRequest.IntegerOf(JsonRequest.RequiredProperty(expiresAfter, "expires_after", "seconds"), "expires_after.seconds");
            FileExpiry.SecondsInRange(seconds, limits, "expires_after.seconds");
            expiresAfterSeconds = (int)seconds;
        }

        var now = clock.Now;
        var upload = new Upload
        {
            Id = ids.NewUploadId(),
            ProjectId = http.CallerProject(),
            Filename = filename,
            Purpose = purpose,
            Bytes = bytes,
            MimeType = mimeType,
            CreatedAt = now,
            ExpiresAt = now + limits.UploadTimeToLiveSeconds,
            Status = UploadStatus.Pending,
            FileExpiresAfterSeconds = expiresAfterSeconds,
        };
        if (await metadata.CreateUploadAsync(upload, quotas.For(upload.ProjectId), cancellationToken) is { } refusal)
        {
            throw ApiErrors.QuotaExceeded(upload.ProjectId, refusal, "Creating 1 more pending upload");
        }

        http.Response.Headers[ChecksumHeaders.Algorithms] = ChecksumHeaders.Crc32CAlgorithm;
        return TypedResults.Ok(upload.ToContract(now));
    }

    // Our extension: "the project's uploads that are still pending, paged exactly like GET /files, each with
    // received_bytes, the sum of the bytes of the parts the server holds for it."
    internal static async Task<IResult> ListPendingUploadsAsync(HttpContext http, IMetadataStore metadata, UploadClock clock)
    {
        var (limit, order, after) = ListPaging.Read(http.Request.Query);
        var now = clock.Now;
        var projectId = http.CallerProject();
        return await StreamedList<PendingUploadObject>.StartAsync(
                after, limit, ReadChunkAsync, TesseraJsonContext.Default.PendingUploadObject, u => u.Id, http.RequestAborted)
            ?? throw ApiErrors.InvalidField("after", $"No such Upload object: {ListPaging.Shorten(after!)} - 'after' must name an upload of an earlier page.");

        async Task<ListChunk<PendingUploadObject>?> ReadChunkAsync(string? cursor, int count, CancellationToken cancellationToken) =>
            await metadata.ListPendingUploadsAsync(projectId, new UploadListQuery(count, order, cursor), now, cancellationToken) is { } page
                ? new ListChunk<PendingUploadObject>(page.Uploads.Select(u => u.ToContract(now)).ToList(), page.HasMore)
                : null;
    }

    // Our extension: "the Upload as above, so a client that lost its state can find out where it stands."
    internal static async Task<IResult> GetUploadAsync(string uploadId, HttpContext http, IMetadataStore metadata, UploadClock clock)
    {
        var upload = UploadExists(await metadata.FindUploadAsync(http.CallerProject(), uploadId, http.RequestAborted), uploadId);
        return TypedResults.Ok(await RenderAsync(upload, http, metadata, clock.Now));
    }

    // "Adds a Part to an Upload object. A Part represents a chunk of bytes from the file you are trying to upload.
    // Each Part can be at most 64 MB, and you can add Parts until you hit the Upload maximum of 8 GB. It is possible
    // to add multiple Parts in parallel. You can decide the intended order of the Parts when you complete the Upload."
    internal static async Task<IResult> AddPartAsync(
        string uploadId, HttpContext http, IMetadataStore metadata, FormIngest ingest, UploadClock clock, TesseraLimits limits, ProjectQuotas quotas, ILogger<Upload> logger)
    {
        var cancellationToken = http.RequestAborted;
        var expectedCrc = ChecksumHeader.Expected(http.Request);
        var project = http.CallerProject();
        var quota = quotas.For(project);
        // The project's usage only matters under a bytes quota; then it is read beside the upload's parts, not after.
        var usage = quota.Bytes is null ? null : metadata.ReadProjectUsageAsync(project, cancellationToken);
        var upload = UploadExists(await metadata.FindUploadAsync(project, uploadId, cancellationToken), uploadId);
        UploadAcceptsParts(upload, clock.Now);

        var stored = await metadata.SumPartBytesAsync(uploadId, cancellationToken);
        var room = Math.Min(limits.MaxPartBytes, limits.MaxUploadBytes - stored);
        PartFitsUpload(stored, 1, limits);
        var quotaRoom = usage is null ? long.MaxValue : QuotaRequirements.PartFitsQuota(project, quota, await usage, http.Request.ContentLength);
        BodyLimits.Allow(http, Math.Min(room, quotaRoom), limits.MaxDrainBytes);

        var form = await ingest.ReadAsync(http.Request, "data", [], Math.Min(room, quotaRoom), () =>
            quotaRoom < room ? QuotaRequirements.PartOverQuota(project, quota, quotaRoom, http.Request.ContentLength)
            : room < limits.MaxPartBytes
            ? ApiErrors.InvalidField("data", $"This part would bring the upload's stored parts over the limit of {TesseraLimits.Describe(limits.MaxUploadBytes)}.")
            : ApiErrors.InvalidField("data", $"A part may hold at most {TesseraLimits.Describe(limits.MaxPartBytes)}; this one is larger. Split the file into smaller parts."),
            cancellationToken);
        var received = form.File ?? throw ApiErrors.InvalidField("data", "Missing required parameter: 'data'. Send the part's bytes as the multipart field 'data'.");

        var part = new UploadPart
        {
            Id = received.Key,
            UploadId = uploadId,
            Bytes = received.Bytes,
            CreatedAt = clock.Now,
            BlobKey = received.Key,
            Crc32C = received.Crc32C,
        };
        AddPartOutcome outcome;
        try
        {
            if (received.Bytes == 0)
            {
                throw ApiErrors.InvalidField("data", "A part must hold at least 1 byte; this one is empty.");
            }

            ChecksumHeader.Matches(expectedCrc, received.Crc32C, "the part's bytes as received", "Nothing was stored: send the part again.");

            // Not the request's token: once the bytes are durable, recording them must not be torn by a disconnect.
            outcome = await metadata.AddPartAsync(part, limits.MaxUploadBytes, limits.MaxPartsPerUpload, quota, clock.Now, CancellationToken.None);
        }
        catch (StoreUnavailableException)
        {
            // The connection may have broken after the record was committed, so the bytes stay: if no record names
            // them, reconciliation deletes them after the orphan grace period.
            throw;
        }
        catch
        {
            await ingest.DiscardAsync(received.Key);
            throw;
        }

        if (outcome.Result != AddPartResult.Added)
        {
            await ingest.DiscardAsync(received.Key);
            throw outcome.Result switch
            {
                AddPartResult.NoSuchUpload => ApiErrors.NoSuchUpload(uploadId),
                AddPartResult.UploadNotPending => PartRefusedByState(outcome.Upload!, clock.Now),
                AddPartResult.OverQuota => ApiErrors.QuotaExceeded(project, outcome.OverQuota!, $"This part of {ByteSize.Describe(part.Bytes)}"),
                AddPartResult.TooManyParts => PartsOverLimit(limits),
                _ => StoredPartsOverLimit(outcome.StoredBytes, part.Bytes, limits),
            };
        }

        logger.PartStored(uploadId, part.Id, part.Bytes);
        ChecksumHeader.Write(http.Response, part.Crc32C);
        return TypedResults.Ok(part.ToContract());
    }

    // Our extension: "the parts received so far (id, created_at, bytes, crc32c, md5), so a client can resume an
    // interrupted upload without sending the same bytes again." Every checksum listed was recorded when its part was
    // stored: listing never reads a part back.
    internal static async Task<IResult> ListPartsAsync(string uploadId, HttpContext http, IMetadataStore metadata)
    {
        var cancellationToken = http.RequestAborted;
        UploadExists(await metadata.FindUploadAsync(http.CallerProject(), uploadId, cancellationToken), uploadId);
        var parts = await metadata.ListPartsAsync(uploadId, cancellationToken);
        return TypedResults.Ok(parts.Select(p => p.ToStoredContract()).ToList().ToPage(hasMore: false, p => p.Id));
    }

    // "Completes the Upload. Within the returned Upload object, there is a nested File object that is ready to use
    // in the rest of the platform. You can specify the order of the Parts by passing in an ordered list of the Part
    // IDs. The number of bytes uploaded upon completion must match the number of bytes initially specified when
    // creating the Upload object. No Parts may be added after an Upload is completed."
    internal static async Task<IResult> CompleteUploadAsync(
        string uploadId, HttpContext http, IMetadataStore metadata, IBlobStore blobs, IIdGenerator ids, UploadClock clock, TesseraLimits limits, ProjectQuotas quotas,
        ILogger<Upload> logger)
    {
        var cancellationToken = http.RequestAborted;
        var expectedCrc = ChecksumHeader.Expected(http.Request);
        var upload = UploadExists(await metadata.FindUploadAsync(http.CallerProject(), uploadId, cancellationToken), uploadId);
        UploadMayStillComplete(upload, clock.Now);

        IReadOnlyList<string> partIds;
        byte[]? expectedMd5 = null;
        using (var body = await JsonRequest.ReadObjectAsync(http.Request, limits.MaxJsonBodyBytes, CompleteFields, cancellationToken))
        {
            partIds = body.RequiredStringArray("part_ids");
            PartIdsWithinPartLimit(partIds, limits);
            if (body.OptionalString("md5") is { } md5Text)
            {
                expectedMd5 = Md5Checksum.TryParse(md5Text)
                    ?? throw ApiErrors.InvalidField("md5", $"'{(md5Text.Length > 64 ? md5Text[..64] + "..." : md5Text)}' is not an MD5 digest: send 32 hex digits or the base64 of the 16 bytes - 'md5'");
            }
        }

        if (IsRetriedCompletion(upload, partIds, clock.Now))
        {
            return TypedResults.Ok(await RenderAsync(upload, http, metadata, clock.Now));
        }

        uint crc;
        try
        {
            var listed = PartIdsNameThisUploadsParts(partIds, await metadata.ListPartsAsync(uploadId, cancellationToken));
            PartsAddUpToDeclaredBytes(upload, listed);
            crc = await CombinedCrc32CAsync(listed, metadata, blobs, cancellationToken);
            ChecksumHeader.Matches(expectedCrc, crc, "the parts named, in order", "The upload is still pending: send again the parts whose bytes differ, or name the right ones.");
            if (expectedMd5 is not null)
            {
                await using var content = new SegmentedContentStream(blobs, [.. listed.Select(p => new FileSegment(p.BlobKey, p.Bytes))], upload.Bytes);
                var actualMd5 = await ContentHashing.Md5Async(content, cancellationToken);
                Md5Matches(expectedMd5, actualMd5);
            }
        }
        catch (Exception exception) when (exception is TesseraException or BlobNotFoundException)
        {
            // A cancel or complete that raced this one takes the parts (and, once a sweep has freed them, their bytes)
            // with it. Then the refusal is the one the upload's new state implies, not a complaint about the parts.
            var current = UploadExists(await metadata.FindUploadAsync(upload.ProjectId, uploadId, cancellationToken), uploadId);
            if (current.StatusAt(clock.Now) == UploadStatus.Pending)
            {
                throw;
            }

            return await AnswerLostCompletionAsync(current, partIds, http, metadata, clock.Now);
        }

        var file = new StoredFile
        {
            Id = ids.NewFileId(),
            ProjectId = upload.ProjectId,
            Filename = upload.Filename,
            Purpose = upload.Purpose,
            Bytes = upload.Bytes,
            CreatedAt = upload.CreatedAt,
            ExpiresAt = FileExpiry.ExpiresAt(upload.Purpose, upload.FileExpiresAfterSeconds, upload.CreatedAt, limits),
            Crc32C = crc,
        };
        var outcome = await metadata.CompleteUploadAsync(uploadId, partIds, file, quotas.For(upload.ProjectId), clock.Now, cancellationToken);
        if (outcome.OverQuota is { } refusal)
        {
            throw ApiErrors.QuotaExceeded(upload.ProjectId, refusal, "Completing this upload as 1 more file",
                "Delete files to free room, then complete the upload again: it stays pending until it expires.");
        }

        if (!outcome.Succeeded)
        {
            // Another request moved the upload first; answer as its new state implies.
            return await AnswerLostCompletionAsync(UploadExists(outcome.Upload, uploadId), partIds, http, metadata, clock.Now);
        }

        logger.UploadCompleted(uploadId, file.Id, file.Bytes);
        ChecksumHeader.Write(http.Response, file.Crc32C);
        return TypedResults.Ok(outcome.Upload!.ToContract(clock.Now, file));
    }

    // "Cancels the Upload. No Parts may be added after an Upload is cancelled."
    internal static async Task<IResult> CancelUploadAsync(string uploadId, HttpContext http, IMetadataStore metadata, UploadClock clock, ReclaimSignal reclaimer, ILogger<Upload> logger)
    {
        var cancellationToken = http.RequestAborted;
        var upload = UploadExists(await metadata.FindUploadAsync(http.CallerProject(), uploadId, cancellationToken), uploadId);
        if (IsRetriedCancellation(upload, clock.Now))
        {
            return TypedResults.Ok(upload.ToContract(clock.Now));
        }

        var outcome = await metadata.CancelUploadAsync(uploadId, clock.Now, cancellationToken);
        var current = UploadExists(outcome.Upload, uploadId);
        if (!outcome.Succeeded)
        {
            // Another request moved the upload first: a cancel that won makes this one a retry; anything else refuses it.
            return CancelRefusal(current, clock.Now) is { } refusal ? throw refusal : TypedResults.Ok(current.ToContract(clock.Now));
        }

        logger.UploadCancelled(uploadId);
        reclaimer.Wake();
        return TypedResults.Ok(current.ToContract(clock.Now));
    }

    /// <summary>
    /// Answers a complete that another request overtook: the winner's complete with these same <c>part_ids</c> makes
    /// this one a retry (200 with the completed upload); any other state is the refusal it implies.
    /// </summary>
    private static async Task<IResult> AnswerLostCompletionAsync(Upload current, IReadOnlyList<string> partIds, HttpContext http, IMetadataStore metadata, long now) =>
        CompleteRefusal(current, partIds, now) is { } refusal
            ? throw refusal
            : TypedResults.Ok(await RenderAsync(current, http, metadata, now));

    private static async Task<UploadObject> RenderAsync(Upload upload, HttpContext http, IMetadataStore metadata, long now)
    {
        var file = upload.FileId is { } fileId ? await metadata.FindFileAsync(upload.ProjectId, fileId, now, http.RequestAborted) : null;
        ChecksumHeader.Write(http.Response, file?.Crc32C);
        return upload.ToContract(now, file);
    }

    /// <summary>
    /// The CRC32C of the parts laid end to end, combined from their recorded checksums without reading a byte. A part
    /// stored before checksums were kept is read once to compute its own, which is then recorded.
    /// </summary>
    private static async Task<uint> CombinedCrc32CAsync(IReadOnlyList<UploadPart> parts, IMetadataStore metadata, IBlobStore blobs, CancellationToken cancellationToken)
    {
        var pieces = new List<(uint, long)>(parts.Count);
        foreach (var part in parts)
        {
            if (part.Crc32C is not { } crc)
            {
                await using var content = new SegmentedContentStream(blobs, [new FileSegment(part.BlobKey, part.Bytes)], part.Bytes);
                crc = await ContentHashing.Crc32CAsync(content, cancellationToken);
                await metadata.SetPartCrc32CAsync(part.Id, crc, cancellationToken);
            }

            pieces.Add((crc, part.Bytes));
        }

        return Crc32C.Combine(pieces);
    }
}
