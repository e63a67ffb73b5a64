using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>OpenAI's error envelope: <c>{"error": {"message", "type", "param", "code"}}</c>, all four keys present.</summary>
public sealed record ErrorResponse
{
    [JsonPropertyName("error")]
    public ApiError Error { get; init; } = new();
}

/// <summary>The <c>error</c> object of <see cref="ErrorResponse"/>.</summary>
public sealed record ApiError
{
    [JsonPropertyName("message")]
    public string Message { get; init; } = "";

    /// <summary><c>invalid_request_error</c>, <c>server_error</c>, <c>rate_limit_error</c>, ...</summary>
    [JsonPropertyName("type")]
    public string Type { get; init; } = "";

    /// <summary>The request field the error is about; null when it is about the request as a whole.</summary>
    [JsonPropertyName("param")]
    public string? Param { get; init; }

    /// <summary>A machine-readable reason such as <c>invalid_api_key</c>; often null.</summary>
    [JsonPropertyName("code")]
    public string? Code { get; init; }
}
