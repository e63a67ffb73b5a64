using System.Net;
using System.Net.Sockets;
using Tessera.Storage.S3;
using Tessera.Testing.Engines;

namespace Tessera.Storage.Tests.Blobs;

/// <summary>The blob contract against an S3-compatible store: a new bucket on the test process's shared engine per test, blobs under a prefix.</summary>
public sealed class S3BlobStoreTests : BlobStoreContract
{
    protected override async Task<IBlobStore> CreateStoreAsync(CancellationToken cancellationToken)
    {
        var engine = await S3Engine.SharedAsync();
        return new S3BlobStore(engine.OptionsFor(await engine.CreateBucketAsync(cancellationToken), prefix: "tessera/"));
    }

    /// <summary>A store pointed at a loopback port where nothing listens: every connection is refused at once.</summary>
    protected override Task<IBlobStore?> CreateUnreachableStoreAsync(CancellationToken cancellationToken)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return Task.FromResult<IBlobStore?>(new S3BlobStore(new S3BlobOptions
        {
            ServiceUrl = $"http://127.0.0.1:{closedPort}",
            Region = S3Engine.Region,
            Bucket = "tessera",
            ForcePathStyle = true,
            AccessKey = S3Engine.AccessKey,
            SecretKey = S3Engine.SecretKey,
            ConnectTimeout = TimeSpan.FromSeconds(2),
        }));
    }
}
