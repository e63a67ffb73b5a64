using System.Globalization;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Tessera.Server.Apis;
using Tessera.Server.Hosting;
using Tessera.Server.Logging;
using Tessera.Storage;

namespace Tessera.Server.Telemetry;

/// <summary>
/// Registers Tessera's instruments and store decorators always (they cost a branch while nobody listens), and the
/// OpenTelemetry SDK only when a setting asks for Prometheus or OTLP, so that with both off nothing is collected.
/// </summary>
public static class TelemetryRegistration
{
    /// <summary>The share of requests that start a trace when neither <c>OTEL_TRACES_SAMPLER</c> nor its argument is set.</summary>
    public const double DefaultTraceRatio = 0.01;

    private const string UrlQueryAttribute = "url.query";
    private const string SamplerVariable = "OTEL_TRACES_SAMPLER";
    private const string SamplerArgumentVariable = "OTEL_TRACES_SAMPLER_ARG";

    /// <summary>Call after the stores are registered: the decorators wrap whichever ones were picked.</summary>
    public static void AddTelemetry(IServiceCollection services, IConfiguration configuration)
    {
        services.AddMetrics();
        services.AddSingleton<PendingUploadsGauge>();
        services.AddSingleton<TesseraMetrics>();
        Decorate<IMetadataStore>(services, (provider, store) => new InstrumentedMetadataStore(store, provider.GetRequiredService<TesseraMetrics>()));
        Decorate<IBlobStore>(services, (provider, store) => new InstrumentedBlobStore(store, provider.GetRequiredService<TesseraMetrics>()));

        var settings = Read(configuration);
        var otlp = TelemetryOptions.OtlpRequested(settings, configuration);
        if (!settings.Prometheus.Enabled && !otlp)
        {
            return;
        }

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] ?? "tessera"))
            .WithMetrics(metrics =>
            {
                metrics.AddTesseraInstrumentation();
                if (settings.Prometheus.Enabled)
                {
                    metrics.AddPrometheusExporter();
                }

                if (otlp)
                {
                    metrics.AddOtlpExporter(exporter => PointAt(exporter, settings.Otlp.Endpoint, "v1/metrics"));
                }
            });
        if (otlp)
        {
            // Exporting a trace costs about half of what serving a small request does (bench/ops.sh): one request in a
            // hundred starts a trace unless the standard variables say otherwise; a caller's sampled trace is always kept.
            var ratio = string.IsNullOrWhiteSpace(configuration[SamplerVariable]) ? TraceRatio(configuration) : (double?)null;
            telemetry.WithTracing(tracing =>
            {
                tracing.AddTesseraInstrumentation().AddOtlpExporter(exporter => PointAt(exporter, settings.Otlp.Endpoint, "v1/traces"));
                if (ratio is { } share)
                {
                    tracing.SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(share)));
                }
            });
        }
    }

    /// <summary>Tessera's meter, ASP.NET Core's and the runtime's.</summary>
    public static MeterProviderBuilder AddTesseraInstrumentation(this MeterProviderBuilder metrics) =>
        metrics.AddMeter(TesseraTelemetry.Name).AddAspNetCoreInstrumentation().AddRuntimeInstrumentation();

    /// <summary>
    /// Spans around store calls and ASP.NET Core's server spans. Scrapes of <c>/metrics</c> and health probes are left
    /// out: an orchestrator asks every few seconds, and a trace of that tells nobody anything. A server span's
    /// <c>url.query</c> has its values redacted as the access line's are, whatever the instrumentation's own
    /// redaction setting says, so a key in a URL never leaves in a trace.
    /// </summary>
    public static TracerProviderBuilder AddTesseraInstrumentation(this TracerProviderBuilder tracing) =>
        tracing.AddSource(TesseraTelemetry.Name)
            .AddAspNetCoreInstrumentation(aspNetCore =>
            {
                aspNetCore.Filter = http => !MetricsEndpoint.IsScrape(http.Request) && !HealthApi.IsProbe(http.Request);
                aspNetCore.EnrichWithHttpRequest = (span, request) =>
                {
                    if (request.QueryString.HasValue)
                    {
                        span.SetTag(UrlQueryAttribute, QueryRedaction.Redact(request.QueryString).TrimStart('?'));
                    }
                };
            });

    /// <summary><c>OTEL_TRACES_SAMPLER_ARG</c> alone sets the default sampler's ratio, as it would the standard sampler's.</summary>
    /// <exception cref="StartupException">It is set to something other than a number from 0 to 1.</exception>
    private static double TraceRatio(IConfiguration configuration)
    {
        var value = configuration[SamplerArgumentVariable];
        if (string.IsNullOrWhiteSpace(value))
        {
            return DefaultTraceRatio;
        }

        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio) && ratio is >= 0 and <= 1
            ? ratio
            : throw new StartupException(
                StartupProblem.Configuration,
                $"{SamplerArgumentVariable} is '{value}', not a number from 0 to 1: set it to the share of requests to trace "
                + "(0.1 traces one in ten), or unset it to trace one in a hundred.");
    }

    /// <summary>The <c>Tessera:Telemetry</c> settings straight from configuration, for what is decided before the options exist.</summary>
    /// <exception cref="StartupException">A value does not convert (a port that is not a number).</exception>
    public static TelemetryOptions Read(IConfiguration configuration)
    {
        var settings = new TelemetryOptions();
        try
        {
            configuration.GetSection(TelemetryOptions.SectionName).Bind(settings);
        }
        catch (InvalidOperationException exception)
        {
            throw new StartupException(StartupProblem.Configuration, exception.Message, exception);
        }

        return settings;
    }

    /// <summary>
    /// Tessera's endpoint setting is a base URL like <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>: over HTTP each signal goes
    /// to its own path under it. Without the setting the exporter keeps what the standard variables said.
    /// </summary>
    private static void PointAt(OtlpExporterOptions exporter, string? endpoint, string signalPath)
    {
        // A malformed URL is reported by TesseraOptionsValidator, which names the setting.
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var url))
        {
            return;
        }

        exporter.Endpoint = exporter.Protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(new Uri(url.ToString().TrimEnd('/') + "/"), signalPath) : url;
    }

    /// <summary>Replaces the last registration of <typeparamref name="TService"/> with <paramref name="decorate"/> around it.</summary>
    private static void Decorate<TService>(IServiceCollection services, Func<IServiceProvider, TService, TService> decorate)
        where TService : class
    {
        var registered = services.Last(descriptor => descriptor.ServiceType == typeof(TService) && !descriptor.IsKeyedService);
        services.Remove(registered);
        services.AddSingleton(provider => decorate(provider, (TService)Create(registered, provider)));
    }

    private static object Create(ServiceDescriptor descriptor, IServiceProvider provider) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!);
}
