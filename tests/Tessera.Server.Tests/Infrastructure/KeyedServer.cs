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

        /// <summary>
        /// Deletes the garbage now and waits until <paramref name="blobKey"/> is gone from the blob store: the
        /// background sweeper, woken by the same request, may have claimed that garbage first, and then this round
        /// finds none and the blob goes when the sweeper's round ends.
        /// </summary>
        internal async Task AssertFreedAsync(string blobKey)
        {
            await server.Reclaimer.DeleteGarbageAsync(CancellationToken.None);
            await Eventually.HoldsAsync(async () => !(await server.StoredBlobKeysAsync()).Contains(blobKey), $"blob {blobKey} is freed");
        }

        /// <summary>Reads the metadata store's clock now, instead of waiting for the next minute.</summary>
        internal Task SynchronizeClockAsync() =>
            server.Services.GetRequiredService<StoreClockSynchronizer>().SynchronizeAsync(CancellationToken.None);
    }
}
