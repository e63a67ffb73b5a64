using Microsoft.Extensions.DependencyInjection;

namespace Tessera.Storage.FileSystem;

/// <summary>Registers the folder blob store as the <see cref="IBlobStore"/>.</summary>
public static class FolderBlobServiceCollectionExtensions
{
    /// <summary>Registers a singleton <see cref="IBlobStore"/> on the folder that <paramref name="configure"/> names.</summary>
    public static IServiceCollection AddFolderBlobs(this IServiceCollection services, Action<FolderBlobOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return AddFolderBlobsCore(services, (_, options) => configure(options));
    }

    /// <summary>
    /// Registers a singleton <see cref="IBlobStore"/> whose options are set when it is first resolved, so they may come
    /// from other services (a data folder that must be created first, say).
    /// </summary>
    public static IServiceCollection AddFolderBlobs(this IServiceCollection services, Action<IServiceProvider, FolderBlobOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return AddFolderBlobsCore(services, configure);
    }

    private static IServiceCollection AddFolderBlobsCore(IServiceCollection services, Action<IServiceProvider, FolderBlobOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IBlobStore>(provider =>
        {
            var options = new FolderBlobOptions();
            configure(provider, options);
            if (string.IsNullOrWhiteSpace(options.RootPath))
            {
                throw new InvalidOperationException($"{nameof(FolderBlobOptions)}.{nameof(FolderBlobOptions.RootPath)} must name a folder.");
            }

            ArgumentOutOfRangeException.ThrowIfNegative(options.WriteBufferBudgetBytes, nameof(FolderBlobOptions.WriteBufferBudgetBytes));
            return new FileSystemBlobStore(options.RootPath, options.WriteBufferBudgetBytes);
        });
        return services;
    }
}
