using Microsoft.Extensions.DependencyInjection;

namespace Tessera.Storage.S3;

/// <summary>Registers <see cref="S3BlobStore"/> as the <see cref="IBlobStore"/>, a singleton.</summary>
public static class S3BlobServiceCollectionExtensions
{
    /// <summary>Stores blobs in S3 as <paramref name="configure"/> says; the options are validated when the store is first resolved.</summary>
    public static IServiceCollection AddS3Blobs(this IServiceCollection services, Action<S3BlobOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return AddS3BlobsCore(services, (_, options) => configure(options));
    }

    /// <summary>As <see cref="AddS3Blobs(IServiceCollection, Action{S3BlobOptions})"/>, with the services at hand (configuration, for one).</summary>
    public static IServiceCollection AddS3Blobs(this IServiceCollection services, Action<IServiceProvider, S3BlobOptions> configure) =>
        AddS3BlobsCore(services, configure);

    private static IServiceCollection AddS3BlobsCore(IServiceCollection services, Action<IServiceProvider, S3BlobOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddSingleton<IBlobStore>(provider =>
        {
            var options = new S3BlobOptions();
            configure(provider, options);
            return new S3BlobStore(options);
        });
        return services;
    }
}
