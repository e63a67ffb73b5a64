using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Net.Http.Headers;
using Tessera.Domain;
using Tessera.Server.Http;

namespace Tessera.Server.Telemetry;

/// <summary>
/// The Prometheus scrape endpoint, <c>/metrics</c>: either alone on a management port (which serves nothing else),
/// or on the main port behind a bearer key. Never open to anyone on the main port.
/// </summary>
internal static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static bool IsScrape(HttpRequest request) => request.Path.Equals(Path, StringComparison.OrdinalIgnoreCase);

    /// <summary>The management port on each host of <paramref name="urls"/> when one is set; none otherwise.</summary>
    public static IReadOnlyList<string> ManagementUrls(IEnumerable<string> urls, TelemetryOptions settings)
    {
        if (!settings.Prometheus.Enabled || settings.Prometheus.Port is not { } port || port is < 1 or > 65535)
        {
            return [];
        }

        return [.. urls.Select(url => $"http://{BindingAddress.Parse(url).Host}:{port}").Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>Adds the scrape endpoint to the pipeline when Prometheus is on; call before the API's middleware.</summary>
    public static void UseMetricsEndpoint(this WebApplication app, TelemetryOptions settings)
    {
        if (!settings.Prometheus.Enabled)
        {
            return;
        }

        if (settings.Prometheus.Port is { } port)
        {
            app.Use(ManagementPortServesOnlyMetrics(port));
            app.UseOpenTelemetryPrometheusScrapingEndpoint(http => http.Connection.LocalPort == port && IsScrape(http.Request));
            app.Logger.MetricsServed($"http://...:{port}{Path}");
        }
        else
        {
            var key = SHA256.HashData(Encoding.UTF8.GetBytes(settings.Prometheus.Key ?? ""));
            app.UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider: null, predicate: http => IsScrape(http.Request), path: null,
                configureBranchedPipeline: branch => branch.Use(RequireKey(key)), optionsName: null);
            app.Logger.MetricsServed($"{Path} on the main port, behind Tessera:Telemetry:Prometheus:Key");
        }
    }

    private static Func<HttpContext, RequestDelegate, Task> ManagementPortServesOnlyMetrics(int port) => (http, next) =>
        http.Connection.LocalPort == port && !IsScrape(http.Request)
            ? ErrorEnvelope.WriteAsync(http.Response, ApiErrors.NoSuchRoute(http.Request.Method, http.Request.Path))
            : next(http);

    /// <summary>
    /// Compares digests of equal size, so neither the time taken nor anything else tells how much of a presented key
    /// matched, or how long the key is.
    /// </summary>
    private static Func<HttpContext, RequestDelegate, Task> RequireKey(byte[] keyDigest) => (http, next) =>
    {
        var presented = http.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (presented.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented[scheme.Length..].Trim())), keyDigest))
        {
            return next(http);
        }

        http.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return ErrorEnvelope.WriteAsync(http.Response, new TesseraException(HttpStatusCode.Unauthorized, ApiErrors.InvalidRequest,
            "Scraping /metrics needs the metrics key (Tessera:Telemetry:Prometheus:Key) in an Authorization header using Bearer auth.",
            code: "invalid_api_key"));
    };
}
