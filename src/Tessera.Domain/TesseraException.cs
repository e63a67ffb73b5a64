using System.Net;

namespace Tessera.Domain;

/// <summary>
/// The one exception type whose message reaches a client. The host turns it into OpenAI's error envelope
/// <c>{"error": {"message", "type", "param", "code"}}</c>; every other exception becomes a generic 500.
/// </summary>
public sealed class TesseraException : Exception
{
    public TesseraException(HttpStatusCode status, string type, string message, string? param = null, string? code = null)
        : base(message)
    {
        Status = status;
        Type = type;
        Param = param;
        Code = code;
    }

    public HttpStatusCode Status { get; }

    /// <summary>OpenAI's error type: <c>invalid_request_error</c>, <c>server_error</c>, ...</summary>
    public string Type { get; }

    public string? Param { get; }

    public string? Code { get; }

    /// <summary>
    /// What the answer's <c>x-should-retry</c> header tells OpenAI's SDKs, which otherwise retry every 5xx; null
    /// sends none.
    /// </summary>
    public bool? ShouldRetry { get; init; }
}
