using Tessera.Domain;

namespace Tessera.Storage.Tests.Metadata;

/// <summary>
/// What every <see cref="IMetadataStore"/> owes the host, run unchanged against each backend: a backend's test class
/// subclasses this and says how to make its store. Each test gets a store over new, empty backing data.
/// </summary>
public abstract partial class MetadataStoreContract : IAsyncLifetime
{
    protected const string Project = "proj_contract";
    protected const string OtherProject = "proj_other";

    private readonly List<IMetadataStore> _opened = [];
    private IMetadataStore? _store;

    /// <summary>The store the test runs against, initialized.</summary>
    protected IMetadataStore Store => _store ?? throw new InvalidOperationException("The store is made in InitializeAsync.");

    protected static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>The time the tests pass as <c>now</c>: the machine's, in Unix seconds.</summary>
    protected static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    protected static IIdGenerator Ids { get; } = new RandomIdGenerator();

    /// <summary>
    /// A store over new, empty backing data of its own (a new database file, a new database). Not yet initialized:
    /// the suite calls <see cref="IMetadataStore.InitializeAsync"/>, as the host does at start-up.
    /// </summary>
    protected abstract Task<IMetadataStore> CreateStoreAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Another store over the backing data of the one <see cref="CreateStoreAsync"/> made, as a second node would open
    /// it. Null when the backend cannot be shared by several nodes; the tests across two nodes are then skipped.
    /// </summary>
    protected virtual Task<IMetadataStore?> OpenSecondStoreAsync(CancellationToken cancellationToken) => Task.FromResult<IMetadataStore?>(null);

    /// <summary>Removes the backing data, once every store of the test is disposed.</summary>
    protected virtual ValueTask DeleteBackingDataAsync() => ValueTask.CompletedTask;

    public async ValueTask InitializeAsync()
    {
        _store = await CreateStoreAsync(Token);
        _opened.Add(_store);
        await _store.InitializeAsync(Token);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _opened)
        {
            switch (store)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }

        await DeleteBackingDataAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A second node's store over the same data, initialized; skips the test when the backend has none.</summary>
    protected async Task<IMetadataStore> SecondNodeAsync()
    {
        var second = await OpenSecondStoreAsync(Token);
        if (second is null)
        {
            Assert.Skip("This backend cannot be shared by several nodes, so there is no second node to race with.");
        }

        _opened.Add(second);
        await second.InitializeAsync(Token);
        return second;
    }

    protected static Upload NewUpload(long bytes = 100, long? expiresAt = null, string projectId = Project) => new()
    {
        Id = Ids.NewUploadId(),
        ProjectId = projectId,
        Filename = "data.jsonl",
        Purpose = "assistants",
        Bytes = bytes,
        MimeType = "text/jsonl",
        CreatedAt = Now,
        ExpiresAt = expiresAt ?? Now + 3600,
        Status = UploadStatus.Pending,
    };

    /// <summary>A part whose blob key is its id, as the host names them.</summary>
    protected static UploadPart NewPart(Upload upload, long bytes, long? createdAt = null)
    {
        var id = Ids.NewPartId();
        return new UploadPart { Id = id, UploadId = upload.Id, Bytes = bytes, CreatedAt = createdAt ?? Now, BlobKey = id };
    }

    protected static StoredFile NewFile(Upload upload, long? expiresAt = null) => new()
    {
        Id = Ids.NewFileId(),
        ProjectId = upload.ProjectId,
        Filename = upload.Filename,
        Purpose = upload.Purpose,
        Bytes = upload.Bytes,
        CreatedAt = upload.CreatedAt,
        ExpiresAt = expiresAt,
    };

    protected static StoredFile NewFile(long createdAt, string purpose = "assistants", long? expiresAt = null, string projectId = Project) => new()
    {
        Id = Ids.NewFileId(),
        ProjectId = projectId,
        Filename = "notes.txt",
        Purpose = purpose,
        Bytes = 10,
        CreatedAt = createdAt,
        ExpiresAt = expiresAt,
    };

    protected async Task<Upload> CreateUploadAsync(long bytes = 100, long? expiresAt = null, IMetadataStore? store = null)
    {
        var upload = NewUpload(bytes, expiresAt);
        await (store ?? Store).CreateUploadAsync(upload, Token);
        return upload;
    }

    /// <summary>Adds a part under no limit to speak of; it must be accepted.</summary>
    protected async Task<UploadPart> AddPartAsync(Upload upload, long bytes, IMetadataStore? store = null)
    {
        var part = NewPart(upload, bytes);
        var outcome = await (store ?? Store).AddPartAsync(part, maxStoredBytes: 1L << 40, Now, Token);
        Assert.Equal(AddPartResult.Added, outcome.Result);
        return part;
    }

    /// <summary>Creates a file of one new blob; returns the file and its blob's key.</summary>
    protected async Task<(StoredFile File, string BlobKey)> CreateFileAsync(StoredFile file, IMetadataStore? store = null)
    {
        var blobKey = Ids.NewPartId();
        await (store ?? Store).CreateFileAsync(file, new FileSegment(blobKey, file.Bytes), Token);
        return (file, blobKey);
    }

    protected Task<IReadOnlyList<string>> AllGarbageAsync(IMetadataStore? store = null) =>
        (store ?? Store).ListGarbageAsync(int.MaxValue, Token);
}
