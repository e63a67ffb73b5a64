using Tessera.Storage.FileSystem;

namespace Tessera.Storage.Tests.Blobs;

/// <summary>The blob contract against the embedded folder store, a new folder per test.</summary>
public sealed class FolderBlobStoreTests : BlobStoreContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tessera-blobs-").FullName;

    protected override Task<IBlobStore> CreateStoreAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IBlobStore>(new FileSystemBlobStore(_folder));

    protected override ValueTask DeleteBackingDataAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}
