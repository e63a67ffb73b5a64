using Tessera.Client.Tests.Infrastructure;

namespace Tessera.Client.Tests;

/// <summary>The chunked upload's memory stays near part size x parts in flight, whatever the file's size.</summary>
[Collection(nameof(MemoryBoundTests))]
public sealed class MemoryBoundTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int PartSize = 8 << 20;
    private const int Parallelism = 4;
    private const long FileBytes = 256L << 20;

    private readonly TestFiles _files = new();
    private TesseraTestServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await TesseraTestServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _files.Dispose();
    }

    // Measured across the whole process, so the in-process server's own allocations count against the bound too:
    // the bound is generous, but far below what buffering the file (256 MiB) or a fresh buffer per part would cost.
    [Fact]
    public async Task A_256_MiB_upload_in_8_MiB_parts_allocates_about_part_size_times_parts_in_flight()
    {
        var token = TestContext.Current.CancellationToken;
        var path = _files.Create("big.bin", FileBytes);
        using var client = new TesseraClient(new TesseraClientOptions { BaseUrl = _server.BaseAddress.ToString(), ApiKey = TesseraTestServer.KeyA, UseEnvironment = false });
        var options = new ChunkedUploadOptions { PartSize = PartSize, Parallelism = Parallelism, StateDirectory = _files.StateFolder };
        // Warm up the connection pool and the JIT with a small upload, so the figure is the big upload's own.
        await client.Uploads.UploadFileAsync(_files.Create("small.bin", 1 << 20), "batch", options, token);

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var result = await client.Uploads.UploadFileAsync(path, "batch", options, token);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        output.WriteLine($"allocated {allocated >> 20} MiB for a {FileBytes >> 20} MiB upload in {PartSize >> 20} MiB parts x {Parallelism}");
        Assert.Equal(FileBytes, result.Upload.File!.Bytes);
        Assert.InRange(allocated, 0, ((long)PartSize * Parallelism) + (64L << 20));
    }
}

/// <summary>Allocations are counted across the process, so this runs alone, after the tests that run in parallel.</summary>
[CollectionDefinition(nameof(MemoryBoundTests), DisableParallelization = true)]
public sealed class MemoryBoundCollection;
