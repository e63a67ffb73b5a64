using Tessera.Storage.FileSystem;

namespace Tessera.Storage.Tests.Blobs;

/// <summary>The blob contract against the embedded folder store, a new folder per test.</summary>
public sealed class FolderBlobStoreTests : BlobStoreContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tessera-blobs-").FullName;

    protected override Task<IBlobStore> CreateStoreAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IBlobStore>(new FileSystemBlobStore(_folder));

    /// <summary>
    /// A store whose folders became symbolic links to themselves: every path through them fails with ELOOP, an error
    /// of the disk that is neither "not found" nor "full".
    /// </summary>
    protected override Task<IBlobStore?> CreateUnreachableStoreAsync(CancellationToken cancellationToken)
    {
        var root = Path.Combine(_folder, "unreachable");
        var store = new FileSystemBlobStore(root);
        foreach (var folder in new[] { "blobs", "tmp" })
        {
            var path = Path.Combine(root, folder);
            Directory.Delete(path);
            File.CreateSymbolicLink(path, folder);
        }

        return Task.FromResult<IBlobStore?>(store);
    }

    protected override ValueTask DeleteBackingDataAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}
