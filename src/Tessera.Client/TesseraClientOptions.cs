namespace Tessera.Client;

/// <summary>
/// How a <see cref="TesseraClient"/> reaches its server. Anything left null is taken from the environment, as the
/// OpenAI SDKs do: <c>OPENAI_BASE_URL</c>, <c>OPENAI_API_KEY</c>, <c>OPENAI_ORG_ID</c>, <c>OPENAI_PROJECT_ID</c>.
/// </summary>
public sealed class TesseraClientOptions
{
    /// <summary>The base URL when neither <see cref="BaseUrl"/> nor <c>OPENAI_BASE_URL</c> says otherwise.</summary>
    public const string DefaultBaseUrl = "https://api.openai.com/v1";

    /// <summary>The API's root, including <c>/v1</c> (e.g. <c>http://127.0.0.1:8080/v1</c>). Null: <c>OPENAI_BASE_URL</c>, else <see cref="DefaultBaseUrl"/>.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Sent as <c>Authorization: Bearer</c>. Null: <c>OPENAI_API_KEY</c>; with neither, requests go without one (and a server answers 401).</summary>
    public string? ApiKey { get; set; }

    /// <summary>Sent as <c>OpenAI-Organization</c>. Null: <c>OPENAI_ORG_ID</c>, else not sent.</summary>
    public string? Organization { get; set; }

    /// <summary>Sent as <c>OpenAI-Project</c>. Null: <c>OPENAI_PROJECT_ID</c>, else not sent.</summary>
    public string? Project { get; set; }

    /// <summary>
    /// Retries after the first attempt, on a connection failure, a timed-out attempt, 408, 429 and 5xx (2, as the
    /// OpenAI SDKs). Never on another 4xx, never for a body that cannot be sent twice (standard input).
    /// </summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>The first retry's delay; each next one doubles, with jitter. A server's <c>retry-after-ms</c> or <c>Retry-After</c> of up to a minute wins.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest delay between two attempts.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one attempt may take, from sending the request to the response's headers. Generous by default so a
    /// 64 MiB part on a slow link (about 9 minutes at 1 Mbit/s) is not cut off; a stalled body is caught sooner by
    /// <see cref="SendIdleTimeout"/>.
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long sending a part may make no progress before the attempt is abandoned (and retried).</summary>
    public TimeSpan SendIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long opening a connection may take (only for a client made with <c>new</c>; the factory's handler is configured by <c>AddTesseraClient</c>).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether null settings are read from the <c>OPENAI_*</c> environment variables.</summary>
    public bool UseEnvironment { get; set; } = true;

    internal Uri ResolveBaseUrl()
    {
        var text = BaseUrl ?? FromEnvironment("OPENAI_BASE_URL") ?? DefaultBaseUrl;
        // Relative paths resolve under the base only when it ends with a slash.
        return new Uri(text.EndsWith('/') ? text : text + "/", UriKind.Absolute);
    }

    internal string? ResolveApiKey() => ApiKey ?? FromEnvironment("OPENAI_API_KEY");

    internal string? ResolveOrganization() => Organization ?? FromEnvironment("OPENAI_ORG_ID");

    internal string? ResolveProject() => Project ?? FromEnvironment("OPENAI_PROJECT_ID");

    private string? FromEnvironment(string name) =>
        UseEnvironment && Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
