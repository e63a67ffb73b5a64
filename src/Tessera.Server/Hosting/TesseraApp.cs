using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Tessera.Server.Apis;
using Tessera.Server.Http;
using Tessera.Server.Logging;
using Tessera.Server.OpenApi;
using Tessera.Server.Telemetry;
using Tessera.Server.WebConsole;

namespace Tessera.Server.Hosting;

/// <summary>Builds the Tessera web application: <c>Program.cs</c> runs it; tests start it on a loopback port.</summary>
public static class TesseraApp
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <param name="args">Command-line arguments: any ASP.NET Core setting, e.g. <c>--urls</c> or <c>--Tessera:DataPath=...</c>.</param>
    /// <param name="configureServices">Replaces services after Tessera's own registrations (tests swap the clock this way).</param>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        // Settings (appsettings.json) are found next to the binary, wherever the server is started from; a relative
        // Tessera:DataPath still means the working directory (see DataFolder.Resolve).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        SettingsFile.AddTo(builder.Configuration);
        var telemetry = TelemetryRegistration.Read(builder.Configuration);
        var addresses = ListenAddresses.Configure(builder, telemetry);

        // One Logging:Console:FormatterOptions serves both formatters; the simple one's timestamp ends in a space that
        // would end up inside JSON's Timestamp.
        builder.Services.PostConfigure<JsonConsoleFormatterOptions>(json => json.TimestampFormat = json.TimestampFormat?.TrimEnd());
        EscapingConsoleFormatter.AddTo(builder.Logging);
        HostingRequestLines.Suppress(builder.Logging);
        ListeningAnnouncement.SuppressHostingLines(builder.Logging);
        builder.Services.AddTessera(builder.Configuration);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        if (KnownSettings.MisspelledSection(app.Configuration) is { } misspelled)
        {
            app.Logger.SettingsSectionMisspelled(misspelled);
        }

        var options = app.Services.GetRequiredService<IOptions<TesseraOptions>>().Value;
        OpenModeExposure.EnsureAllowed(options, addresses, app.Configuration);
        // Reads the key files now, so one that cannot be read stops the server here.
        app.Services.GetRequiredService<ProjectKeys>();

        // First, so that every request is logged and answered with the common headers, the metrics scrape included;
        // then held until the addresses Kestrel bound have been checked.
        app.UseMiddleware<AccessLogMiddleware>();
        app.Use(BoundAddressCheck.Gate(app.Services.GetRequiredService<BoundAddressCheck>()));
        app.UseMiddleware<ResponseHeadersMiddleware>();
        app.UseTrustedForwardedHeaders(options);
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseMetricsEndpoint(telemetry);
        app.UseMiddleware<RequestBodyMiddleware>();
        app.UseMiddleware<ErrorEnvelopeMiddleware>();
        app.UseStatusCodePages(ErrorEnvelopeMiddleware.WriteStatusCodeEnvelopeAsync);
        // Inside the error envelope, so that a part's refusal is counted as thrown, whichever middleware threw it.
        app.UseMiddleware<PartRefusalCounter>();
        // After the request id and the access log, so a refused Host gets both.
        app.UseMiddleware<HostHeaderMiddleware>();
        app.Use(MetadataReadiness.Gate(app.Services.GetRequiredService<MetadataReadiness>()));
        // The limiter counts per project, so the key that names the project is checked first.
        app.UseMiddleware<ProjectAuthenticationMiddleware>();
        app.UseRateLimiter();

        app.MapHealthApi();
        app.MapOpenApiDocument();
        app.MapConsole();
        app.MapTesseraApi(app.MapGroup("/v1"));
        // The OpenAPI document describes this copy, as OpenAI's does, below a /v1 server (OpenApiRegistration).
        app.MapTesseraApi(app.MapGroup("").WithGroupName(OpenApiDocumentEndpoint.DocumentName));
        app.MapFallback(ErrorEnvelopeMiddleware.NoSuchRoute);
        return app;
    }

    private static void MapTesseraApi(this WebApplication app, RouteGroupBuilder group)
    {
        group.WithMetadata(RequiresProjectKey.Instance);
        group.MapUploadsApi();
        group.MapFilesApi();
        group.MapProjectApi();
    }
}
