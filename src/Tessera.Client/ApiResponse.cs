using System.Net;
using System.Text.Json;

namespace Tessera.Client;

/// <summary>A successful answer: the typed value, and the body exactly as received for callers that print it (<c>--format raw</c>).</summary>
public sealed class ApiResponse<T>
{
    internal ApiResponse(T value, string body, HttpStatusCode status, string? requestId, string? crc32C = null, string? checksumAlgorithms = null)
    {
        Value = value;
        Body = body;
        Status = status;
        RequestId = requestId;
        Crc32C = crc32C;
        ChecksumAlgorithms = checksumAlgorithms;
    }

    public T Value { get; }

    /// <summary>The response body's text, unchanged, including fields the typed value does not know.</summary>
    public string Body { get; }

    public HttpStatusCode Status { get; }

    /// <summary>The <c>x-request-id</c> header; null when the server sent none.</summary>
    public string? RequestId { get; }

    /// <summary>
    /// Tessera's <c>x-tessera-checksum-crc32c</c> header: the CRC32C the server recorded for the part or file, as
    /// <see cref="Tessera.Contracts.Crc32C.ToHeaderValue"/> writes it; null when the server sent none (OpenAI's does not).
    /// </summary>
    public string? Crc32C { get; }

    /// <summary>
    /// Tessera's <c>x-tessera-checksum-algorithms</c> header on a created upload (e.g. <c>crc32c</c>): the checksums the
    /// server checks on every part; null when the server sent none (OpenAI's does not).
    /// </summary>
    public string? ChecksumAlgorithms { get; }

    /// <summary>Whether the server announced that it checks each part's and the file's CRC32C.</summary>
    public bool ServerChecksCrc32C =>
        ChecksumAlgorithms?.Split(',', StringSplitOptions.TrimEntries).Contains(Tessera.Contracts.ChecksumHeaders.Crc32CAlgorithm, StringComparer.OrdinalIgnoreCase) == true;

    /// <summary>The body parsed as JSON (a fresh parse each call).</summary>
    public JsonElement ToJsonElement()
    {
        using var document = JsonDocument.Parse(Body);
        return document.RootElement.Clone();
    }
}
