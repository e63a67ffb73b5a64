using Tessera.Contracts;
using Tessera.Storage.Tests.Infrastructure;

namespace Tessera.Storage.Tests.Blobs;

/// <summary>
/// What every <see cref="IBlobStore"/> owes the host, run unchanged against each backend: a backend's test class
/// subclasses this and says how to make its store. Each test gets a store over new, empty backing storage.
/// </summary>
public abstract partial class BlobStoreContract : IAsyncLifetime
{
    private IBlobStore? _store;

    /// <summary>The store the test runs against.</summary>
    protected IBlobStore Store => _store ?? throw new InvalidOperationException("The store is made in InitializeAsync.");

    protected static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>A store over new, empty backing storage of its own (a new folder, a new bucket or prefix).</summary>
    protected abstract Task<IBlobStore> CreateStoreAsync(CancellationToken cancellationToken);

    /// <summary>Removes the backing storage, once the store is disposed.</summary>
    protected virtual ValueTask DeleteBackingDataAsync() => ValueTask.CompletedTask;

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync(Token);

    public async ValueTask DisposeAsync()
    {
        switch (_store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }

        await DeleteBackingDataAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A key as the host mints them (a part id).</summary>
    protected static string NewKey() => "part_" + Guid.NewGuid().ToString("N");

    protected static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    protected async Task<string> WriteAsync(byte[] bytes)
    {
        var key = NewKey();
        var written = await Store.WriteAsync(key, new SourceStream(bytes), Token);
        Assert.Equal(bytes.Length, written.Bytes);
        Assert.Equal(Crc32C.Compute(bytes), written.Crc32C);
        return key;
    }

    protected async Task<byte[]> ReadAsync(string key, long offset = 0)
    {
        await using var stream = await Store.OpenReadAsync(key, offset, Token);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Token);
        return copy.ToArray();
    }

    protected async Task<List<string>> ListKeysAsync()
    {
        var keys = new List<string>();
        await foreach (var blob in Store.ListAsync(Token))
        {
            keys.Add(blob.Key);
        }

        return keys;
    }

    /// <summary>Compares without printing megabytes when they differ.</summary>
    protected static void AssertSameBytes(byte[] expected, byte[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var firstDifference = expected.AsSpan().CommonPrefixLength(actual);
        Assert.True(firstDifference == expected.Length, $"the bytes differ from offset {firstDifference} on");
    }
}
