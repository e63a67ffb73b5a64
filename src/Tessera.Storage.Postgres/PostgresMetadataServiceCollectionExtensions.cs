using Microsoft.Extensions.DependencyInjection;

namespace Tessera.Storage.Postgres;

public static class PostgresMetadataServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PostgresMetadataStore"/> as the singleton <see cref="IMetadataStore"/>. The container
    /// disposes it, and with it its connection pool, when it is disposed.
    /// </summary>
    public static IServiceCollection AddPostgresMetadata(this IServiceCollection services, Action<PostgresMetadataOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return AddPostgresMetadataCore(services, (_, options) => configure(options));
    }

    /// <inheritdoc cref="AddPostgresMetadata(IServiceCollection, Action{PostgresMetadataOptions})"/>
    /// <param name="services">The services to add to.</param>
    /// <param name="configure">Sets the options, with the services at hand (configuration, other options).</param>
    public static IServiceCollection AddPostgresMetadata(this IServiceCollection services, Action<IServiceProvider, PostgresMetadataOptions> configure) =>
        AddPostgresMetadataCore(services, configure);

    private static IServiceCollection AddPostgresMetadataCore(IServiceCollection services, Action<IServiceProvider, PostgresMetadataOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddSingleton<IMetadataStore>(provider =>
        {
            var options = new PostgresMetadataOptions();
            configure(provider, options);
            return new PostgresMetadataStore(options);
        });
        return services;
    }
}
