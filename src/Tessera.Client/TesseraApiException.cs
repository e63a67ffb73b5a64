using System.Net;
using System.Text.Json;
using Tessera.Contracts;

namespace Tessera.Client;

/// <summary>
/// The server answered with an error status. Carries OpenAI's error object (type, param, code, message), the status
/// and the <c>x-request-id</c> to quote to the server's operator. A request that never got an answer (after its
/// retries) throws <see cref="HttpRequestException"/> or <see cref="TimeoutException"/> instead.
/// </summary>
public sealed class TesseraApiException : Exception
{
    internal TesseraApiException(HttpMethod method, Uri url, HttpStatusCode status, string? reasonPhrase, ApiError? error, string body, string? requestId)
        : base(Describe(method, url, status, reasonPhrase, error, body))
    {
        Method = method;
        Url = url;
        Status = status;
        ReasonPhrase = reasonPhrase;
        Error = error;
        ResponseBody = body;
        RequestId = requestId;
    }

    public HttpMethod Method { get; }

    public Uri Url { get; }

    public HttpStatusCode Status { get; }

    public string? ReasonPhrase { get; }

    /// <summary>The <c>error</c> object; null when the body was not OpenAI's error envelope (a proxy's HTML page, say).</summary>
    public ApiError? Error { get; }

    /// <summary>OpenAI's error type (<c>invalid_request_error</c>, ...); null when the body had none.</summary>
    public string? Type => Error?.Type;

    public string? Param => Error?.Param;

    public string? Code => Error?.Code;

    /// <summary>The server's message, or the body's start when it sent no error envelope.</summary>
    public string ApiMessage => Error?.Message ?? ResponseBody;

    /// <summary>The response body as received (at most 64 KiB of it).</summary>
    public string ResponseBody { get; }

    /// <summary>The <c>x-request-id</c> header; null when the server sent none.</summary>
    public string? RequestId { get; }

    internal static ApiError? TryReadError(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, TesseraJsonContext.Default.ErrorResponse)?.Error is { Message.Length: > 0 } error ? error : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Describe(HttpMethod method, Uri url, HttpStatusCode status, string? reasonPhrase, ApiError? error, string body) =>
        $"{method} \"{url}\": {(int)status} {reasonPhrase ?? status.ToString()}: {error?.Message ?? (body.Length > 200 ? body[..200] + "..." : body)}";
}
