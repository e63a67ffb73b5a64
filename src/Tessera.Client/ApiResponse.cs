using System.Net;
using System.Text.Json;

namespace Tessera.Client;

/// <summary>A successful answer: the typed value, and the body exactly as received for callers that print it (<c>--format raw</c>).</summary>
public sealed class ApiResponse<T>
{
    internal ApiResponse(T value, string body, HttpStatusCode status, string? requestId)
    {
        Value = value;
        Body = body;
        Status = status;
        RequestId = requestId;
    }

    public T Value { get; }

    /// <summary>The response body's text, unchanged, including fields the typed value does not know.</summary>
    public string Body { get; }

    public HttpStatusCode Status { get; }

    /// <summary>The <c>x-request-id</c> header; null when the server sent none.</summary>
    public string? RequestId { get; }

    /// <summary>The body parsed as JSON (a fresh parse each call).</summary>
    public JsonElement ToJsonElement()
    {
        using var document = JsonDocument.Parse(Body);
        return document.RootElement.Clone();
    }
}
