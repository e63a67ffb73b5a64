using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Tessera.Domain;
using Tessera.Server.Http;
using Tessera.Server.Ingest;
using Tessera.Server.Reclaiming;
using Tessera.Server.Transport;
using Tessera.Storage;
using Tessera.Storage.FileSystem;
using Tessera.Storage.Sqlite;

namespace Tessera.Server.Hosting;

public static class TesseraServiceCollectionExtensions
{
    /// <summary>Registers Tessera's options, stores and background sweeper, bound to the <c>Tessera</c> section.</summary>
    public static IServiceCollection AddTessera(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TesseraOptions>()
            .Configure(options => BindOrExplain(configuration.GetSection(TesseraOptions.SectionName), options))
            .ValidateOnStart();
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
        });

        // Tessera's own clock, not a TimeProvider registration that Kestrel or other components might pick up.
        services.AddSingleton(new UploadClock(TimeProvider.System));
        services.AddSingleton<IIdGenerator, RandomIdGenerator>();
        services.AddSingleton<ProjectKeys>();

        // Both embedded stores live in the data folder, so neither exists before the folder is locked.
        DataFolder.AddDataFolder(services);
        services.AddSingleton<IMetadataStore>(sp =>
            new SqliteMetadataStore(Path.Combine(DataPath(sp), "tessera.db")));
        services.AddSingleton<IBlobStore>(sp => new FileSystemBlobStore(
            DataPath(sp), (long)sp.GetRequiredService<IOptions<TesseraOptions>>().Value.WriteBufferBudgetMiB << 20));
        services.AddSingleton<MetadataReadiness>();
        services.AddHostedService<MetadataInitializer>();
        AccessLog.AddAccessLog(services);
        // After the web host's own registration, so this is the factory the server uses.
        services.AddSingleton<IHttpContextFactory, RequestIdMiddleware.ContextFactory>();

        // Large receive buffers for Kestrel: registered before Kestrel's own TryAdd, so it is the one Kestrel uses.
        services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();

        services.AddSingleton<FormIngest>();
        services.AddSingleton<ReclaimSignal>();
        services.AddHostedService<StorageReclaimer>();
        return services;
    }

    private static string DataPath(IServiceProvider services) => services.GetRequiredService<DataFolder>().FullPath;

    /// <summary>Binds the section; a value that does not convert (<c>MaxPartBytes=abc</c>) is a configuration error that names the setting.</summary>
    private static void BindOrExplain(IConfigurationSection section, TesseraOptions options)
    {
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException exception)
        {
            throw new StartupException(StartupProblem.Configuration, exception.Message, exception);
        }
    }
}
