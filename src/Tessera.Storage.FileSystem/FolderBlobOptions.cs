namespace Tessera.Storage.FileSystem;

/// <summary>Settings of the blob store that keeps one file per blob in a folder.</summary>
public sealed class FolderBlobOptions
{
    /// <summary>The folder under which <c>blobs/</c> and <c>tmp/</c> are kept; created when missing. Required.</summary>
    public string RootPath { get; set; } = "";

    /// <summary>How many bytes of large write buffers all writes in progress may hold together; past it they use small ones.</summary>
    public long WriteBufferBudgetBytes { get; set; } = FileSystemBlobStore.DefaultWriteBufferBudgetBytes;
}
