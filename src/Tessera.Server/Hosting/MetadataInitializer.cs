using Tessera.Storage;

namespace Tessera.Server.Hosting;

/// <summary>Creates or migrates the metadata schema before the server takes requests.</summary>
internal sealed class MetadataInitializer(IMetadataStore metadata) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => metadata.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
