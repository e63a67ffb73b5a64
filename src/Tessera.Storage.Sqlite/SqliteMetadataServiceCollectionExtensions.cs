using Microsoft.Extensions.DependencyInjection;

namespace Tessera.Storage.Sqlite;

/// <summary>Registers the SQLite metadata store as the <see cref="IMetadataStore"/>.</summary>
public static class SqliteMetadataServiceCollectionExtensions
{
    /// <summary>Registers a singleton <see cref="IMetadataStore"/> on the SQLite database that <paramref name="configure"/> names.</summary>
    public static IServiceCollection AddSqliteMetadata(this IServiceCollection services, Action<SqliteMetadataOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return AddSqliteMetadataCore(services, (_, options) => configure(options));
    }

    /// <summary>
    /// Registers a singleton <see cref="IMetadataStore"/> whose options are set when it is first resolved, so they may
    /// come from other services (a data folder that must be locked first, say).
    /// </summary>
    public static IServiceCollection AddSqliteMetadata(this IServiceCollection services, Action<IServiceProvider, SqliteMetadataOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return AddSqliteMetadataCore(services, configure);
    }

    private static IServiceCollection AddSqliteMetadataCore(IServiceCollection services, Action<IServiceProvider, SqliteMetadataOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IMetadataStore>(provider =>
        {
            var options = new SqliteMetadataOptions();
            configure(provider, options);
            if (string.IsNullOrWhiteSpace(options.DatabasePath))
            {
                throw new InvalidOperationException($"{nameof(SqliteMetadataOptions)}.{nameof(SqliteMetadataOptions.DatabasePath)} must name the database file.");
            }

            return new SqliteMetadataStore(options.DatabasePath);
        });
        return services;
    }
}
