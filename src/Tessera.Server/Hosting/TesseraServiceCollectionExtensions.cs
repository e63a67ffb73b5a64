using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Options;
using Tessera.Domain;
using Tessera.Server.Apis;
using Tessera.Server.Http;
using Tessera.Server.Ingest;
using Tessera.Server.OpenApi;
using Tessera.Server.Quotas;
using Tessera.Server.Reclaiming;
using Tessera.Server.Scrubbing;
using Tessera.Server.Telemetry;
using Tessera.Server.Transport;
using Tessera.Server.WebConsole;

namespace Tessera.Server.Hosting;

public static class TesseraServiceCollectionExtensions
{
    /// <summary>Registers Tessera's options, stores and background sweeper, bound to the <c>Tessera</c> section.</summary>
    public static IServiceCollection AddTessera(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TesseraOptions>()
            .Configure(options => BindOrExplain(configuration.GetSection(TesseraOptions.SectionName), options))
            .ValidateOnStart();
        // IOptionsMonitor<TesseraOptions> follows the configuration (a settings file changed, say): keys and rate limits reload.
        services.AddSingleton<IOptionsChangeTokenSource<TesseraOptions>>(new ConfigurationChangeTokenSource<TesseraOptions>(configuration));
        services.AddHostedService<SettingsReloadCheck>();
        // Before the metadata initialiser: its StartedAsync runs first, so nothing is opened for a refused address.
        services.AddSingleton<BoundAddressCheck>();
        services.AddHostedService(provider => provider.GetRequiredService<BoundAddressCheck>());
        // HostHeaderMiddleware reads AllowedHosts and answers with the error envelope, after the request id and the
        // access log; the default host filtering, which runs ahead of both with an HTML 400, is left to accept any host.
        services.PostConfigure<HostFilteringOptions>(filtering => filtering.AllowedHosts = ["*"]);
        // The host's shutdown timeout is the grace that requests in flight get (GracefulShutdown says so in the log).
        services.AddOptions<HostOptions>().Configure<IOptions<TesseraOptions>>((host, tessera) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(tessera.Value.ShutdownGraceSeconds));
        services.AddSingleton<IValidateOptions<TesseraOptions>, TesseraOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<TesseraOptions>>().Value.Limits);

        services.ConfigureHttpJsonOptions(json =>
        {
            // OpenAI's objects are snake_case; clients read the text as is, so nothing is escaped that need not be.
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
            // The web defaults read numbers from strings; Tessera's bodies do not, and the OpenAPI document says so.
            json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });

        // Tessera's own clock, not a TimeProvider registration that Kestrel or other components might pick up.
        services.AddSingleton(new UploadClock(TimeProvider.System));
        services.AddSingleton<IIdGenerator, RandomIdGenerator>();
        services.AddSingleton<ProjectKeys>();
        services.AddHostedService<KeyFileWatcher>();
        services.AddProjectRateLimiting();
        services.AddSingleton<FailedAuthenticationLimiter>();
        services.AddTrustedForwardedHeaders();
        services.AddSingleton<ProjectQuotas>();

        StorageRegistration.AddStores(services, configuration);
        TelemetryRegistration.AddTelemetry(services, configuration);
        services.AddSingleton<MetadataReadiness>();
        services.AddSingleton<StoreClockSynchronizer>();
        services.AddHostedService(provider => provider.GetRequiredService<StoreClockSynchronizer>());
        services.AddHostedService<MetadataInitializer>();
        // After the web host's own registration, so this is the factory the server uses.
        services.AddSingleton<IHttpContextFactory, RequestIdMiddleware.ContextFactory>();

        // Large receive buffers for Kestrel: registered before Kestrel's own TryAdd, so it is the one Kestrel uses.
        services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();

        services.AddSingleton<FormIngest>();
        services.AddSingleton<ReclaimSignal>();
        services.AddSingleton<MissingBlobs>();
        services.AddHostedService<StorageReclaimer>();
        services.AddSingleton<ScrubFindings>();
        services.AddSingleton<Scrubber>();
        services.AddSingleton<ScrubRounds>();
        services.AddHostedService<ScrubService>();
        services.AddTesseraOpenApi();
        services.AddStoreHealthChecks();
        services.AddConsoleAssets();
        return services;
    }

    /// <summary>
    /// Binds the section; a key no option names (<c>Tessera:Limts:MaxPartBytes</c>) or a value that does not convert
    /// (<c>MaxPartBytes=abc</c>) is a configuration error that names the setting.
    /// </summary>
    private static void BindOrExplain(IConfigurationSection section, TesseraOptions options)
    {
        if (KnownSettings.FindUnknown(section) is { Count: > 0 } unknown)
        {
            throw new StartupException(StartupProblem.Configuration, string.Join(Environment.NewLine, unknown));
        }

        try
        {
            section.Bind(options);
            // The binder drops an element of a list that it cannot bind without a word: a project with one value that
            // does not convert (Quotas:Files=many) would vanish, keys and all. Binding each alone says which value.
            foreach (var project in section.GetSection(nameof(TesseraOptions.Projects)).GetChildren())
            {
                project.Get<ProjectOptions>();
            }
        }
        catch (InvalidOperationException exception)
        {
            throw new StartupException(StartupProblem.Configuration, exception.Message, exception);
        }
    }
}
