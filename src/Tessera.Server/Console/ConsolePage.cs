using Tessera.Server.Hosting;
using Tessera.Server.Http;

// Not Tessera.Server.Console: a namespace of that name would hide System.Console from every namespace below
// Tessera.Server, the tests' included.
namespace Tessera.Server.WebConsole;

/// <summary>
/// Serves the web console at <c>/console</c> (also <c>/console/</c> and <c>/console/index.html</c>) from the assets
/// embedded in the server. The page needs no key to load: it asks for one, and its API calls carry it. So neither the
/// key check nor the rate limiter applies here (neither runs without a project), and the page loads before the
/// metadata store is ready.
/// </summary>
public static class ConsolePage
{
    public const string Path = "/console";

    /// <summary>Where the page asks whether the server needs a key, before it sends any API request.</summary>
    public const string AuthPath = Path + "/auth";

    private const string IndexAsset = "index.html";

    /// <summary>
    /// Self only. WebAssembly is compiled from the CRC-32 library's bytes (hash-wasm), which needs 'wasm-unsafe-eval';
    /// nothing inline, no eval of JavaScript, no frames.
    /// </summary>
    internal const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder app)
    {
        // Loaded now, so a broken build of the assets stops the server at start rather than failing a page later.
        app.ServiceProvider.GetRequiredService<ConsoleAssets>();
        app.MapGet(AuthPath, GetAuth)
            .ExcludeFromDescription()
            .WithMetadata(MetadataReadiness.NotNeeded);
        // A catch-all is optional: /console and /console/ match it too, with no asset, and get the page.
        app.MapMethods($"{Path}/{{**asset}}", [HttpMethods.Get, HttpMethods.Head], GetAsset)
            .ExcludeFromDescription()
            .WithMetadata(MetadataReadiness.NotNeeded);
        app.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], SendBrowsersToConsole)
            .ExcludeFromDescription()
            .WithMetadata(MetadataReadiness.NotNeeded);
        return app;
    }

    /// <summary>
    /// <c>GET /</c>: a browser (its <c>Accept</c> names <c>text/html</c>) is sent to the console with a 302, which no
    /// browser caches, so the root stays free to serve something else later; any other client (the SDKs, curl's
    /// <c>*/*</c>) gets OpenAI's 404 for an unknown path, as before.
    /// </summary>
    internal static IResult SendBrowsersToConsole(HttpContext http) =>
        AcceptsHtml(http.Request)
            ? TypedResults.Redirect($"{http.Request.PathBase}{Path}")
            : ErrorEnvelopeMiddleware.NoSuchRoute(http);

    private static bool AcceptsHtml(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(type =>
            type.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase) && type.Quality is not 0.0);

    /// <summary>
    /// <c>{"keys_required":true}</c> when projects and keys are configured, <c>false</c> in open mode (fixed at start-up).
    /// Probing the API with the placeholder token instead would be refused with a 401 on every load of a keyed server: an
    /// error in the browser's console and a failed authentication counted against the address. Any 401 tells the same,
    /// so this gives nothing away.
    /// </summary>
    internal static IResult GetAuth(HttpContext http, ProjectKeys keys)
    {
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Text(keys.IsOpenMode ? """{"keys_required":false}""" : """{"keys_required":true}""", "application/json");
    }

    /// <summary>The console's files, read once from the server's assembly.</summary>
    public static IServiceCollection AddConsoleAssets(this IServiceCollection services) =>
        services.AddSingleton(_ => ConsoleAssets.Load(typeof(ConsolePage).Assembly));

    internal static IResult GetAsset(string? asset, HttpContext http, ConsoleAssets assets) =>
        ServeAsset(http, assets, string.IsNullOrEmpty(asset) ? IndexAsset : asset);

    /// <summary>
    /// The asset with its ETag and Last-Modified; the result answers 304 to a matching If-None-Match (or
    /// If-Modified-Since). Clients revalidate on every load (no-cache), so a new server's page is never stale.
    /// </summary>
    internal static IResult ServeAsset(HttpContext http, ConsoleAssets assets, string path)
    {
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (assets.Find(path) is not { } asset)
        {
            return TypedResults.NotFound();
        }

        headers.CacheControl = "no-cache";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        return TypedResults.Bytes(asset.Content, asset.ContentType, lastModified: asset.LastModified, entityTag: asset.ETag);
    }
}
