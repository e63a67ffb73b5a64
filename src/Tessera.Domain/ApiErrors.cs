using System.Net;

namespace Tessera.Domain;

/// <summary>The errors of docs/api.md section 2, one factory per row, so every caller words them alike.</summary>
public static class ApiErrors
{
    public const string InvalidRequest = "invalid_request_error";
    public const string ServerError = "server_error";
    public const string RateLimitError = "rate_limit_error";

    public static TesseraException MissingApiKey() => new(
        HttpStatusCode.Unauthorized, InvalidRequest,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth " +
        "(i.e. Authorization: Bearer YOUR_KEY).");

    public static TesseraException IncorrectApiKey(string presentedKey) => new(
        HttpStatusCode.Unauthorized, InvalidRequest,
        $"Incorrect API key provided: {MaskKey(presentedKey)}. Ask the operator of this Tessera server for a valid key.",
        code: "invalid_api_key");

    public static TesseraException ProjectMismatch(string headerProject) => new(
        HttpStatusCode.Unauthorized, InvalidRequest,
        $"The OpenAI-Project header names project '{Truncate(headerProject, 64)}', which is not the project of the API key provided.",
        code: "invalid_project");

    public static TesseraException NoSuchUpload(string uploadId) => new(
        HttpStatusCode.NotFound, InvalidRequest, $"No such Upload object: {Truncate(uploadId, 128)}", param: "id");

    public static TesseraException NoSuchFile(string fileId) => new(
        HttpStatusCode.NotFound, InvalidRequest, $"No such File object: {Truncate(fileId, 128)}", param: "id");

    public static TesseraException NoSuchRoute(string method, string path) => new(
        HttpStatusCode.NotFound, InvalidRequest, $"Invalid URL ({method} {Truncate(path, 256)})");

    public static TesseraException MethodNotAllowed(string method, string path) => new(
        HttpStatusCode.MethodNotAllowed, InvalidRequest, $"Method {method} is not allowed for {Truncate(path, 256)}");

    /// <summary>A field is missing, of the wrong type, or has a value outside its rule.</summary>
    public static TesseraException InvalidField(string param, string message) => new(
        HttpStatusCode.BadRequest, InvalidRequest, message, param: param);

    /// <summary>
    /// A text (<paramref name="what"/>: "string", "file name") longer than its limit, worded as OpenAI words
    /// <c>string_above_max_length</c>.
    /// </summary>
    public static TesseraException TextTooLong(string param, string what, int maxBytes, long actualBytes) => new(
        HttpStatusCode.BadRequest, InvalidRequest,
        $"Invalid '{param}': {what} too long. Expected at most {maxBytes} bytes of UTF-8, but got {actualBytes} bytes instead.",
        param: param, code: "string_above_max_length");

    /// <summary>A multipart form whose fields outside its file field pass their bound (docs/api.md section 7).</summary>
    public static TesseraException FormFieldsTooLarge(int maxBytes) => new(
        HttpStatusCode.BadRequest, InvalidRequest,
        $"The form's fields other than its file field take more than {TesseraLimits.Describe(maxBytes)}, the limit. " +
        "Send only the fields the endpoint defines.",
        code: "form_fields_too_large");

    /// <summary>A part, or a <c>part_ids</c> list, past <c>Tessera:Limits:MaxPartsPerUpload</c>.</summary>
    public static TesseraException TooManyParts(string param, int maxParts, string what) => new(
        HttpStatusCode.BadRequest, InvalidRequest,
        $"An upload may have at most {maxParts} parts (Tessera:Limits:MaxPartsPerUpload); {what}. Use larger parts: up to the part size limit each.",
        param: param, code: "too_many_parts");

    /// <summary>A checksum header whose value is not the base64 of four bytes.</summary>
    public static TesseraException InvalidChecksumHeader(string header, string value) => new(
        HttpStatusCode.BadRequest, InvalidRequest,
        $"The {header} header '{Truncate(value, 64)}' is not a CRC32C: send the base64 of its 4 bytes, most significant first (e.g. 'yZRlqg==').",
        code: "invalid_checksum");

    /// <summary>
    /// The bytes received, or the parts named, do not have the CRC32C the request gave: changed on the way, or the wrong
    /// bytes. <paramref name="consequence"/> says what was (not) done.
    /// </summary>
    public static TesseraException ChecksumMismatch(string what, string expected, string actual, string consequence) => new(
        HttpStatusCode.BadRequest, InvalidRequest,
        $"The CRC32C of {what} is '{actual}', not '{expected}' as the x-tessera-checksum-crc32c header says. {consequence}",
        code: "checksum_mismatch");

    /// <summary>The request as a whole cannot be read (not JSON, not multipart, ...).</summary>
    public static TesseraException InvalidBody(string message) => new(
        HttpStatusCode.BadRequest, InvalidRequest, message);

    /// <summary>The upload is not in a state that allows the request (docs/api.md section 4).</summary>
    public static TesseraException StateConflict(string message) => new(
        HttpStatusCode.BadRequest, InvalidRequest, message, param: "upload_id");

    public static TesseraException StorageFull(long bytesNeeded) => new(
        HttpStatusCode.InsufficientStorage, ServerError,
        $"The server has no room left to store {bytesNeeded} more bytes. Try again later.", code: "storage_full");

    /// <summary>
    /// A write past the project's quota (507, like a full disk, but one the caller can fix, so not worth a retry).
    /// <paramref name="subject"/> says what was asked ("This part of 64.0 MiB"); <paramref name="remedy"/> replaces
    /// the advice on how to free room.
    /// </summary>
    public static TesseraException QuotaExceeded(string project, QuotaRefusal refusal, string subject, string? remedy = null)
    {
        var (quota, left) = refusal.Kind switch
        {
            QuotaKind.Bytes => ($"storage quota of {ByteSize.Describe(refusal.Limit)}", ByteSize.Describe(refusal.Left)),
            QuotaKind.Files => ($"quota of {refusal.Limit} files", refusal.Left.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            _ => ($"quota of {refusal.Limit} pending uploads", refusal.Left.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        remedy ??= refusal.Kind switch
        {
            QuotaKind.Bytes => "Delete files or cancel uploads to free room.",
            QuotaKind.Files => "Delete files to free room.",
            _ => "Complete or cancel pending uploads to free room.",
        };
        return new TesseraException(
            HttpStatusCode.InsufficientStorage, InvalidRequest,
            $"{subject} would exceed project {Truncate(project, 64)}'s {quota}: {left} left. {remedy}", code: "quota_exceeded")
        {
            ShouldRetry = false,
        };
    }

    /// <summary>A store the server depends on cannot be reached; <paramref name="dependency"/> names it ("The metadata database").</summary>
    public static TesseraException ServiceUnavailable(string dependency) => new(
        HttpStatusCode.ServiceUnavailable, ServerError,
        $"{dependency} is unavailable right now, so the request was not carried out. Try again in a few seconds.", code: "service_unavailable");

    /// <summary>A project sent more than its limit allows (docs/api.md section 2); <paramref name="what"/> says which limit.</summary>
    public static TesseraException RateLimited(string what, int retryAfterSeconds) => new(
        HttpStatusCode.TooManyRequests, RateLimitError,
        $"Rate limit reached: {what}. Try again in {retryAfterSeconds} s.", code: "rate_limit_exceeded");

    public static TesseraException TooManyFailedAuthentications(int limit, int windowSeconds, int retryAfterSeconds) => new(
        HttpStatusCode.TooManyRequests, RateLimitError,
        $"Too many failed authentications from this address: at most {limit} in {windowSeconds} s are answered. " +
        $"Check the API key, and try again in {retryAfterSeconds} s.", code: "rate_limit_exceeded");

    /// <summary>
    /// A request whose <c>Host</c> header names no host this server answers to (a web page rebinding its name to the
    /// server's address, say); <paramref name="accepted"/> says which hosts are, <paramref name="remedy"/> what to do.
    /// </summary>
    public static TesseraException HostNotAllowed(string host, string accepted, string remedy) => new(
        HttpStatusCode.BadRequest, InvalidRequest,
        $"The Host '{Truncate(host, 128)}' is not one this server answers to; it accepts {accepted}. {remedy}", code: "host_not_allowed");

    public static TesseraException Unexpected(string requestId) => new(
        HttpStatusCode.InternalServerError, ServerError,
        $"The server had an error while processing your request. The request id is {requestId}; quote it to the operator.");

    /// <summary>Shows enough of a key to recognise it and never the whole of it (docs/api.md section 2).</summary>
    public static string MaskKey(string key) =>
        key.Length <= 8 ? "***" : $"{key[..5]}***{key[^2..]}";

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max] + "...";
}
