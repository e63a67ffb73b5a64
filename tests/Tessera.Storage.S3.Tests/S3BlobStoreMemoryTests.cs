using System.Diagnostics;
using Tessera.Testing.Engines;

namespace Tessera.Storage.S3.Tests;

/// <summary>
/// Measures a process's memory, so it runs in a fresh test process of its own: this test starts this test assembly
/// again, running only itself, and the child measures its own peak resident memory, the xunit runner included.
/// In-process, the figure would carry the heap that earlier tests left behind.
/// </summary>
public sealed class S3BlobStoreMemoryTests
{
    private const long BlobBytes = 64L << 20;
    private const int Writes = 16;
    private const long Budget = 300L << 20;

    // Set in the child: where it writes its figures for the parent to report.
    private const string ReportVariable = "TESSERA_S3_MEMORY_REPORT";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sixteen_concurrent_64_MiB_writes_from_unseekable_streams_keep_a_test_process_under_300_MiB()
    {
        if (!PeakResidentMemory.CanReset)
        {
            Assert.Skip("Needs Linux's /proc/self/clear_refs to measure the peak resident memory of a process.");
        }

        if (Environment.GetEnvironmentVariable(ReportVariable) is { } report)
        {
            await MeasureAsync(report);
        }
        else
        {
            await RunInChildAsync();
        }
    }

    private static async Task MeasureAsync(string report)
    {
        // A patient store: this measures memory, and s3rver takes in 1 GiB slowly on a busy machine.
        using var bucket = await S3TestBucket.CreateAsync(await S3Engine.SharedAsync(), Token, options => options.RequestTimeout = TimeSpan.FromSeconds(120));
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        PeakResidentMemory.Reset();
        var before = PeakResidentMemory.CurrentBytes();

        var lengths = await Task.WhenAll(Enumerable.Range(0, Writes).Select(
            i => Task.Run(() => bucket.Store.WriteAsync($"blob_{i:D2}", new PatternStream(BlobBytes, seed: i), Token), Token)));

        var peak = PeakResidentMemory.PeakBytes();
        var figures = $"{Writes} concurrent writes of {BlobBytes >> 20} MiB: the test process was resident at {before >> 20} MiB " +
            $"before them and peaked at {peak >> 20} MiB during them (budget {Budget >> 20} MiB).";
        await File.WriteAllTextAsync(report, figures, Token);
        Assert.All(lengths, blob => Assert.Equal(BlobBytes, blob.Bytes));
        Assert.True(peak < Budget, figures);
        Assert.Equal(PatternStream.HashOf(BlobBytes, seed: 9), await bucket.HashOfBlobAsync("blob_09", 0, Token));
        Assert.Equal(Writes, await bucket.Store.ListAsync(Token).CountAsync(Token));
    }

    private static async Task RunInChildAsync()
    {
        var report = Path.Combine(Path.GetTempPath(), $"tessera-s3-memory-{Guid.NewGuid():N}.txt");
        var assembly = typeof(S3BlobStoreMemoryTests).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { [ReportVariable] = report },
        };
        foreach (var argument in new[]
        {
            "exec", assembly, "-method", $"{typeof(S3BlobStoreMemoryTests).FullName}.{nameof(Sixteen_concurrent_64_MiB_writes_from_unseekable_streams_keep_a_test_process_under_300_MiB)}", "-noColor",
        })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var child = Process.Start(start)!;
            var output = child.StandardOutput.ReadToEndAsync(Token);
            var errors = child.StandardError.ReadToEndAsync(Token);
            await child.WaitForExitAsync(Token);
            var figures = File.Exists(report) ? await File.ReadAllTextAsync(report, Token) : "(the child measured nothing)";
            TestContext.Current.TestOutputHelper?.WriteLine(figures);
            Assert.True(child.ExitCode == 0, $"{figures}{Environment.NewLine}{await output}{await errors}");
        }
        finally
        {
            File.Delete(report);
        }
    }
}
