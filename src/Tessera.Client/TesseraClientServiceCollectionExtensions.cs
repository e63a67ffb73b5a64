using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Tessera.Client;

public static class TesseraClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="TesseraClient"/> as a typed client of <see cref="IHttpClientFactory"/>, with the same retry
    /// and timeout pipeline as a client made with <c>new</c>. Options not set here are read from the environment.
    /// </summary>
    public static IHttpClientBuilder AddTesseraClient(this IServiceCollection services, Action<TesseraClientOptions>? configure = null)
    {
        var options = services.AddOptions<TesseraClientOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        var client = services
            .AddHttpClient(nameof(TesseraClient))
            .ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                ConnectTimeout = provider.GetRequiredService<IOptions<TesseraClientOptions>>().Value.ConnectTimeout,
            });
        client.AddTypedClient((http, provider) => new TesseraClient(http, provider.GetRequiredService<IOptions<TesseraClientOptions>>().Value));
        client.AddResilienceHandler("tessera", (pipeline, context) =>
            TesseraResilience.Configure(pipeline, context.ServiceProvider.GetRequiredService<IOptions<TesseraClientOptions>>().Value));
        return client;
    }
}
