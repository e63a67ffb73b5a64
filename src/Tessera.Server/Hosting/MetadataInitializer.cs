using Microsoft.AspNetCore.Hosting.Server;
using Tessera.Storage;

namespace Tessera.Server.Hosting;

/// <summary>
/// Creates or migrates the metadata schema once the server is listening, so that a server that cannot bind its port
/// stops before it opens the database, then takes the store clock's first reading. Requests that arrive in between
/// wait for both (<see cref="MetadataReadiness"/>). Only then does the log say where the server listens
/// (<see cref="ListeningAnnouncement"/>).
/// </summary>
/// <remarks>
/// Hosted services start before Kestrel binds (the web server's own hosted service is registered last), so the work
/// is done in <see cref="StartedAsync"/>, which the host calls after every <c>StartAsync</c>, Kestrel's included.
/// </remarks>
internal sealed class MetadataInitializer(
    IMetadataStore metadata, StoreClockSynchronizer clock, MetadataReadiness readiness, IServer server, ILoggerFactory loggers) : IHostedLifecycleService
{
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await metadata.InitializeAsync(cancellationToken);
            await clock.SynchronizeAsync(cancellationToken);
            readiness.MarkReady();
        }
        catch (Exception exception)
        {
            readiness.MarkFailed(exception);
            throw;
        }

        ListeningAnnouncement.Announce(server, loggers);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
