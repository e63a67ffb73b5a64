using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Tessera.Domain;
using Tessera.Server.Http;
using Tessera.Server.Ingest;
using Tessera.Server.Sweeping;
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
            .Bind(configuration.GetSection(TesseraOptions.SectionName))
            .ValidateOnStart();
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

        services.AddSingleton<IMetadataStore>(sp =>
            new SqliteMetadataStore(Path.Combine(DataPath(sp), "tessera.db")));
        services.AddSingleton<IBlobStore>(sp => new FileSystemBlobStore(
            DataPath(sp), (long)sp.GetRequiredService<IOptions<TesseraOptions>>().Value.WriteBufferBudgetMiB << 20));
        services.AddHostedService<MetadataInitializer>();

        // Large receive buffers for Kestrel: registered before Kestrel's own TryAdd, so it is the one Kestrel uses.
        services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();

        services.AddSingleton<FormIngest>();
        services.AddSingleton<ReclaimSignal>();
        services.AddHostedService<ExpirySweeper>();
        return services;
    }

    private static string DataPath(IServiceProvider services) =>
        Path.GetFullPath(services.GetRequiredService<IOptions<TesseraOptions>>().Value.DataPath);
}
