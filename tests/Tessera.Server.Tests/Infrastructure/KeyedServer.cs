using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Tessera.Server.Hosting;
using Tessera.Server.Reclaiming;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>One keyed server shared by the tests of a class.</summary>
public sealed class KeyedServer : IAsyncLifetime
{
    public TesseraTestServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await TesseraTestServer.StartAsync();

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}

public static class TesseraTestServerExtensions
{
    extension(TesseraTestServer server)
    {
        /// <summary>Runs the reclaimer's work now, instead of waiting for its timer.</summary>
        internal StorageReclaimer Reclaimer => server.Services.GetServices<IHostedService>().OfType<StorageReclaimer>().Single();

        /// <summary>Reads the metadata store's clock now, instead of waiting for the next minute.</summary>
        internal Task SynchronizeClockAsync() =>
            server.Services.GetRequiredService<StoreClockSynchronizer>().SynchronizeAsync(CancellationToken.None);
    }
}
