using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Tessera.Domain;
using Tessera.Server.Http;
using Tessera.Server.Telemetry;
using Tessera.Server.Transport;
using Tessera.Storage;

namespace Tessera.Server.Ingest;

/// <summary>
/// Streams the one file field of a multipart request into a new blob as it arrives, and keeps the small text fields the
/// endpoint defines beside it; everything else in the form is read past within one bound (<see cref="FormBudget"/>).
/// When anything goes wrong, the blob is deleted: a request that does not finish leaves nothing.
/// </summary>
internal sealed class FormIngest(IBlobStore blobs, IIdGenerator ids, IOptions<KestrelServerOptions> kestrel, ILogger<FormIngest> logger)
{
    /// <summary>
    /// Reads the whole form. <paramref name="fileField"/> must appear at most once; its bytes go to a new blob, and
    /// <paramref name="tooLarge"/> is thrown the moment they pass <paramref name="maxBytes"/>, or before anything is
    /// read when the request's Content-Length says the form cannot fit. Of the text fields, only those named in
    /// <paramref name="textFields"/> are kept, each at most once.
    /// </summary>
    public async Task<IngestedForm> ReadAsync(
        HttpRequest request, string fileField, IReadOnlyCollection<string> textFields, long maxBytes, Func<Exception> tooLarge, CancellationToken cancellationToken)
    {
        tooLarge = PartRefusalCounter.MarkedTooLarge(tooLarge);
        var maxFormBytes = maxBytes + BodyLimits.FormOverheadBytes;
        var budget = new FormBudget(TesseraLimits.MaxFormFieldsBytes);
        if (request.ContentLength > maxFormBytes)
        {
            throw tooLarge();
        }

        await using var body = new ReceiveBatchingStream(request.Body, request, kestrel.Value.Limits);
        var form = MultipartForm.Open(request, new SizeLimitedStream(body, maxFormBytes, tooLarge));
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        ReceivedFile? file = null;
        try
        {
            while (await form.NextFieldAsync(cancellationToken) is { } field)
            {
                budget.Charge(field.HeadBytes);
                if (field.Name == fileField)
                {
                    if (file is not null)
                    {
                        throw ApiErrors.InvalidField(fileField, $"The form has more than one '{fileField}' field; send exactly one.");
                    }

                    var key = ids.NewPartId();
                    var written = await blobs.WriteAsync(key, new SizeLimitedStream(field.Body, maxBytes, tooLarge), cancellationToken);
                    file = new ReceivedFile(key, written.Bytes, written.Crc32C, field.FileName);
                }
                else if (field.FileName is null && textFields.Contains(field.Name))
                {
                    if (!texts.TryAdd(field.Name, await MultipartForm.ReadTextAsync(field, budget, cancellationToken)))
                    {
                        throw ApiErrors.InvalidField(field.Name, $"The form has more than one '{field.Name}' field.");
                    }
                }
                else
                {
                    // A field the API does not define: read past it, keep nothing.
                    await budget.SkipAsync(field.Body, cancellationToken);
                }
            }
        }
        catch
        {
            if (file is not null)
            {
                await DiscardAsync(file.Key);
            }

            throw;
        }

        return new IngestedForm(file, texts);
    }

    /// <summary>Deletes a blob that will not be recorded. A failure is logged; the sweeper's reconciliation finds it later.</summary>
    public async Task DiscardAsync(string blobKey)
    {
        try
        {
            // Not the request's token: the blob must go even when the client has gone.
            await blobs.DeleteAsync(blobKey, CancellationToken.None);
        }
        catch (StorageException exception)
        {
            logger.BlobDeleteFailed(exception, blobKey);
        }
    }

    /// <summary>The blob written from the file field: its key, its length, its CRC32C and the file name the client gave, if any.</summary>
    public sealed record ReceivedFile(string Key, long Bytes, uint Crc32C, string? FileName);
}

/// <summary>A form read to its end: the file field's blob (null when the field was missing) and the text fields.</summary>
internal sealed record IngestedForm(FormIngest.ReceivedFile? File, IReadOnlyDictionary<string, string> Texts);
