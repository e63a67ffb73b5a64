namespace Tessera.Server.Telemetry;

/// <summary>The <c>Tessera:Telemetry</c> section: where metrics and traces go. Everything is off by default.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Tessera:Telemetry";

    public PrometheusOptions Prometheus { get; set; } = new();

    public OtlpOptions Otlp { get; set; } = new();

    /// <summary>The standard variable that points the OTLP exporter somewhere; it turns the exporter on as the setting does.</summary>
    public const string StandardOtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Whether traces and metrics go to an OTLP endpoint, from the setting or the standard variable.</summary>
    public static bool OtlpRequested(TelemetryOptions options, IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(options.Otlp.Endpoint) || !string.IsNullOrWhiteSpace(configuration[StandardOtlpEndpointVariable]);
}

/// <summary>The <c>Tessera:Telemetry:Prometheus</c> section: the <c>/metrics</c> scrape endpoint.</summary>
public sealed class PrometheusOptions
{
    public bool Enabled { get; set; }

    /// <summary>
    /// A separate management port that alone serves <c>/metrics</c> (and nothing else), on the same addresses as the
    /// main port; none means <c>/metrics</c> is on the main port behind <see cref="Key"/>.
    /// </summary>
    public int? Port { get; set; }

    /// <summary>The bearer token a scrape of <c>/metrics</c> on the main port must present.</summary>
    public string? Key { get; set; }
}

/// <summary>The <c>Tessera:Telemetry:Otlp</c> section.</summary>
public sealed class OtlpOptions
{
    /// <summary>The collector's URL; setting it sends traces and metrics there (the standard <c>OTEL_*</c> variables apply too).</summary>
    public string? Endpoint { get; set; }
}
