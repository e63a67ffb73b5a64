using Tessera.Storage;

namespace Tessera.Server.Health;

/// <summary>The metadata store can be read and written (a real write: see each store's check).</summary>
internal sealed class MetadataHealthCheck(IMetadataStore metadata, ILogger<MetadataHealthCheck> logger)
    : StoreHealthCheck(StoreKind.Metadata, logger)
{
    public const string Name = "metadata";

    protected override Task ProbeAsync(CancellationToken cancellationToken) => metadata.CheckHealthAsync(cancellationToken);
}
