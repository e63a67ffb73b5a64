using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Tessera.Domain;
using Tessera.Server.Http;

namespace Tessera.Server.Ingest;

/// <summary>
/// A <c>multipart/form-data</c> request body read field by field straight from the request, never buffered whole
/// (no <c>IFormFile</c>). A body that breaks off or is malformed is a 400.
/// </summary>
internal sealed class MultipartForm
{
    private const int MaxTextFieldBytes = 4096;

    // MultipartReader hands out at most one buffer's worth per read while it scans for the boundary: a larger buffer
    // means fewer, larger reads on the hot path of every part.
    private const int ReaderBufferBytes = 64 * 1024;

    // A text field that is not UTF-8 is refused, not read with replacement characters.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly MultipartReader _reader;
    private readonly int _boundaryBytes;

    private MultipartForm(MultipartReader reader, int boundaryBytes) => (_reader, _boundaryBytes) = (reader, boundaryBytes);

    /// <summary>
    /// Starts reading the request's form from <paramref name="body"/> (the request's body, or a view of it); a 400 when
    /// the request is not <c>multipart/form-data</c> with a boundary.
    /// </summary>
    public static MultipartForm Open(HttpRequest request, Stream body)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw ApiErrors.InvalidBody("This endpoint expects a multipart/form-data request body.");
        }

        // The .NET SDK quotes the boundary; the others do not.
        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 200)
        {
            throw ApiErrors.InvalidBody("The multipart/form-data Content-Type has no usable boundary.");
        }

        return new MultipartForm(new MultipartReader(boundary, body, ReaderBufferBytes) { HeadersLengthLimit = 16 * 1024 }, boundary.Length);
    }

    /// <summary>The next field, or null at the end of the form.</summary>
    public async Task<MultipartField?> NextFieldAsync(CancellationToken cancellationToken)
    {
        MultipartSection? section;
        try
        {
            section = await _reader.ReadNextSectionAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException && exception is not BadHttpRequestException)
        {
            throw Truncated();
        }

        if (section is null)
        {
            return null;
        }

        if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
            || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw ApiErrors.InvalidBody("Each part of the multipart body must have a Content-Disposition of form-data with a name.");
        }

        // A quoted-string may escape a quote or a backslash (curl sends filename="a\"b" for a"b); RemoveQuotes keeps the
        // backslashes. filename* comes decoded.
        var name = HeaderUtilities.UnescapeAsQuotedString(disposition.Name).Value ?? "";
        var fileName = disposition.FileNameStar.Value ?? HeaderUtilities.UnescapeAsQuotedString(disposition.FileName).Value;
        return new MultipartField(name, fileName, new FieldBodyStream(section.Body), SectionHeadBytes(section));
    }

    /// <summary>
    /// About the bytes the section took before its body: its boundary line and its header lines as sent (the reader
    /// has parsed them already and keeps no count).
    /// </summary>
    private long SectionHeadBytes(MultipartSection section)
    {
        long bytes = "\r\n--".Length + _boundaryBytes + "\r\n".Length + "\r\n".Length;
        foreach (var (key, values) in section.Headers ?? new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>())
        {
            foreach (var value in values)
            {
                bytes += key.Length + ": ".Length + (value?.Length ?? 0) + "\r\n".Length;
            }
        }

        return bytes;
    }

    /// <summary>Reads a small text field whole, as UTF-8, charging what it reads to <paramref name="budget"/>.</summary>
    public static async Task<string> ReadTextAsync(MultipartField field, FormBudget budget, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxTextFieldBytes + 1];
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await field.Body.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
        {
            budget.Charge(read);
            filled += read;
        }

        if (filled > MaxTextFieldBytes)
        {
            throw ApiErrors.InvalidField(field.Name, $"The form field '{field.Name}' is longer than {MaxTextFieldBytes} bytes.");
        }

        try
        {
            return StrictUtf8.GetString(buffer, 0, filled);
        }
        catch (DecoderFallbackException)
        {
            throw ApiErrors.InvalidField(field.Name, $"The form field '{field.Name}' is not valid UTF-8.");
        }
    }

    internal static TesseraException Truncated() =>
        ApiErrors.InvalidBody("The multipart/form-data body ended early or is malformed: it must close with its final boundary.");

    /// <summary>A field's body: turns a read that fails mid-form into the 400 a client can act on.</summary>
    private sealed class FieldBodyStream(Stream inner) : ReadOnlyBodyStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }
            catch (Exception exception) when (exception is IOException or InvalidDataException && exception is not BadHttpRequestException)
            {
                throw Truncated();
            }
        }
    }
}

/// <summary>
/// One field of a form: its name, its file name if it carries a file, its body, and about how many bytes its boundary
/// and headers took.
/// </summary>
internal sealed record MultipartField(string Name, string? FileName, Stream Body, long HeadBytes);
