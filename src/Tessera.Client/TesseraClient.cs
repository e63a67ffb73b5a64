using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Http.Resilience;
using Tessera.Contracts;

namespace Tessera.Client;

/// <summary>
/// A typed client for OpenAI's Uploads and Files API, against Tessera or any compatible server. Every call takes a
/// cancellation token, streams bodies both ways, retries transient failures (see <see cref="TesseraClientOptions"/>)
/// and throws <see cref="TesseraApiException"/> for an error answer. Thread-safe; make one and share it.
/// </summary>
public sealed class TesseraClient : IDisposable
{
    private static readonly string UserAgent =
        $"tessera-dotnet/{typeof(TesseraClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0"}";

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly string? _apiKey;
    private readonly string? _organization;
    private readonly string? _project;

    /// <summary>A client configured from the environment alone (<c>OPENAI_API_KEY</c>, <c>OPENAI_BASE_URL</c>, ...).</summary>
    public TesseraClient()
        : this(new TesseraClientOptions())
    {
    }

    /// <summary>A client with its own connection pool and the retry pipeline of <paramref name="options"/>.</summary>
    public TesseraClient(TesseraClientOptions options)
        : this(CreateHttpClient(options), options, ownsHttp: true)
    {
    }

    /// <summary>
    /// A client over an <see cref="HttpClient"/> that already carries the retry pipeline (as <c>AddTesseraClient</c>
    /// sets one up). The client's own timeout should be infinite: the pipeline bounds each attempt.
    /// </summary>
    public TesseraClient(HttpClient httpClient, TesseraClientOptions options)
        : this(httpClient, options, ownsHttp: false)
    {
    }

    private TesseraClient(HttpClient httpClient, TesseraClientOptions options, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        _http = httpClient;
        _ownsHttp = ownsHttp;
        Options = options;
        BaseUrl = options.ResolveBaseUrl();
        _apiKey = options.ResolveApiKey();
        _organization = options.ResolveOrganization();
        _project = options.ResolveProject();
        Uploads = new UploadsClient(this);
        Files = new FilesClient(this);
    }

    /// <summary>The resolved base URL, ending with a slash.</summary>
    public Uri BaseUrl { get; }

    public TesseraClientOptions Options { get; }

    /// <summary>The Uploads API, our three extensions, and the chunked upload.</summary>
    public UploadsClient Uploads { get; }

    /// <summary>The Files API.</summary>
    public FilesClient Files { get; }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    internal static HttpClient CreateHttpClient(TesseraClientOptions options)
    {
        var transport = new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        var retries = new ResilienceHandler(TesseraResilience.Build(options)) { InnerHandler = options.WrapTransport?.Invoke(transport) ?? transport };
        return new HttpClient(retries) { Timeout = Timeout.InfiniteTimeSpan };
    }

    internal HttpRequestMessage NewRequest(HttpMethod method, string relativePath, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, new Uri(BaseUrl, relativePath)) { Content = content };
        if (_apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        }

        if (_organization is not null)
        {
            request.Headers.TryAddWithoutValidation("OpenAI-Organization", _organization);
        }

        if (_project is not null)
        {
            request.Headers.TryAddWithoutValidation("OpenAI-Project", _project);
        }

        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    internal static StringContent JsonContent<T>(T body, JsonTypeInfo<T> typeInfo) =>
        new(JsonSerializer.Serialize(body, typeInfo), Encoding.UTF8, "application/json");

    /// <summary>Sends a request whose answer is JSON and reads it as <typeparamref name="T"/>.</summary>
    internal async Task<ApiResponse<T>> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await SendForResponseAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            T? value;
            try
            {
                value = JsonSerializer.Deserialize(body, typeInfo);
            }
            catch (JsonException exception)
            {
                throw new InvalidDataException($"{request.Method} \"{request.RequestUri}\" answered {(int)response.StatusCode} with a body that is not the expected JSON: {Shorten(body)}", exception);
            }

            return new ApiResponse<T>(
                value ?? throw new InvalidDataException($"{request.Method} \"{request.RequestUri}\" answered JSON null."),
                body, response.StatusCode, RequestIdOf(response),
                HeaderOf(response, ChecksumHeaders.Crc32C), HeaderOf(response, ChecksumHeaders.Algorithms));
        }
    }

    /// <summary>Sends a request; an error status becomes a <see cref="TesseraApiException"/>. The caller owns the response.</summary>
    internal async Task<HttpResponseMessage> SendForResponseAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        var response = await _http.SendAsync(request, completion, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await ReadAtMostAsync(response.Content, 64 * 1024, cancellationToken);
            throw new TesseraApiException(request.Method, request.RequestUri!, response.StatusCode, response.ReasonPhrase,
                TesseraApiException.TryReadError(body), body, RequestIdOf(response));
        }
    }

    internal static string Escape(string id) => Uri.EscapeDataString(id);

    private static string? RequestIdOf(HttpResponseMessage response) => HeaderOf(response, "x-request-id");

    internal static string? HeaderOf(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static async Task<string> ReadAtMostAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[maxBytes];
        var read = await stream.ReadAtLeastAsync(buffer, maxBytes, throwOnEndOfStream: false, cancellationToken);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "...";
}
