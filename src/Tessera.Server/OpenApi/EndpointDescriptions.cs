using Microsoft.AspNetCore.Http.Metadata;
using Tessera.Contracts;

namespace Tessera.Server.OpenApi;

/// <summary>
/// How an endpoint of the API describes itself in the OpenAPI document (<c>/openapi/v1.json</c>). The handlers read
/// their bodies by hand, so the generator infers nothing: each mapping says it here. A new endpoint of the API does
/// the same, e.g.
/// <code>
/// project.MapGet("/usage", GetUsageAsync)
///     .Describe("getProjectUsage", "Returns the calling project's usage and limits.")
///     .AnswersJson&lt;ProjectUsageObject&gt;();
/// </code>
/// and, if OpenAI defines the object, gives its schema OpenAI's name and required list in <see cref="OpenAiSchemaShapes"/>
/// (otherwise every key that is always written is required, which fits Tessera's own objects). OpenApiDocumentTests
/// fails for an endpoint under <c>/v1</c> that has no <see cref="Describe"/>.
/// </summary>
public static class EndpointDescriptions
{
    /// <summary>Refusals any request of the API can meet: a bad request, a missing key, a rate limit, a failure of ours or of a store.</summary>
    private static readonly int[] CommonRefusals =
    [
        StatusCodes.Status400BadRequest,
        StatusCodes.Status401Unauthorized,
        StatusCodes.Status429TooManyRequests,
        StatusCodes.Status500InternalServerError,
        StatusCodes.Status503ServiceUnavailable,
    ];

    /// <summary>Names the operation (OpenAI's <c>operationId</c> where OpenAI has it) and documents the refusals every operation can answer.</summary>
    public static RouteHandlerBuilder Describe(this RouteHandlerBuilder endpoint, string operationId, string summary) =>
        endpoint.WithSummary(summary).WithMetadata(new OperationDescription(operationId)).RefusesWith(CommonRefusals);

    /// <summary>A 200 whose JSON body is a <typeparamref name="T"/>.</summary>
    public static RouteHandlerBuilder AnswersJson<T>(this RouteHandlerBuilder endpoint) =>
        endpoint.Produces<T>(StatusCodes.Status200OK, "application/json");

    /// <summary>
    /// A JSON request body of type <typeparamref name="T"/>. Not ASP.NET Core's <c>Accepts</c>: that metadata also
    /// takes part in routing, which would answer a request with another <c>Content-Type</c> 415 before the handler
    /// could explain itself.
    /// </summary>
    public static RouteHandlerBuilder AcceptsJson<T>(this RouteHandlerBuilder endpoint) =>
        endpoint.WithMetadata(new JsonRequestBody(typeof(T)));

    /// <summary>A <c>multipart/form-data</c> body whose fields <paramref name="form"/> describes (see <see cref="MultipartForms"/>).</summary>
    public static RouteHandlerBuilder AcceptsMultipart(this RouteHandlerBuilder endpoint, MultipartForm form) =>
        endpoint.WithMetadata(form);

    /// <summary>Query parameters the handler reads by hand.</summary>
    public static RouteHandlerBuilder WithQueryParameters(this RouteHandlerBuilder endpoint, params QueryParameter[] parameters) =>
        endpoint.WithMetadata(new QueryParameters(parameters));

    /// <summary>
    /// The operation's successful answers carry <c>x-tessera-checksum-crc32c</c>; with <paramref name="checksRequest"/>,
    /// a request may carry it too, and is refused when its bytes differ (docs/api.md section 6).
    /// </summary>
    public static RouteHandlerBuilder AnswersChecksum(this RouteHandlerBuilder endpoint, bool checksRequest) =>
        endpoint.WithMetadata(new ChecksumHeaderUse(checksRequest));

    /// <summary>Statuses, besides the common ones, that this operation answers with OpenAI's error envelope.</summary>
    public static RouteHandlerBuilder RefusesWith(this RouteHandlerBuilder endpoint, params int[] statusCodes)
    {
        foreach (var statusCode in statusCodes)
        {
            endpoint.Produces<ErrorResponse>(statusCode, "application/json");
        }

        return endpoint;
    }
}

/// <summary>The operation's <c>operationId</c>.</summary>
public sealed record OperationDescription(string OperationId);

/// <summary>
/// The type a handler reads from a JSON request body, as the API explorer sees it. It names no content type, so
/// routing does not match requests on it (which <c>Accepts</c> would do).
/// </summary>
public sealed record JsonRequestBody(Type RequestType) : IAcceptsMetadata
{
    public IReadOnlyList<string> ContentTypes => [];

    public bool IsOptional => false;
}

/// <summary>Where an operation uses the CRC32C header: always on its successful answers, on its request when <see cref="ChecksRequest"/>.</summary>
public sealed record ChecksumHeaderUse(bool ChecksRequest);

/// <summary>Query parameters an operation reads, in order.</summary>
public sealed record QueryParameters(IReadOnlyList<QueryParameter> Parameters);

/// <summary>One optional query parameter: a string (with its allowed values, if any) or an integer.</summary>
public sealed record QueryParameter(string Name, string Description, bool IsInteger = false, IReadOnlyList<string>? AllowedValues = null, string? Default = null);
