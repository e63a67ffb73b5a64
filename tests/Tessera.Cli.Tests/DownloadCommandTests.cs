using System.Security.Cryptography;
using System.Text.Json;
using Tessera.Cli.Tests.Infrastructure;

namespace Tessera.Cli.Tests;

/// <summary><c>tessera files download</c>: a whole file, and one continued from a partial <c>PATH.part</c>.</summary>
public sealed class DownloadCommandTests : IAsyncLifetime
{
    private readonly PartRecorder _recorder = new();
    private TesseraTestServer _server = null!;
    private TesseraCli _tessera = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await _recorder.StartServerAsync();
        _tessera = new TesseraCli(_server.BaseAddress);
    }

    public async ValueTask DisposeAsync()
    {
        _tessera.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_partial_download_continues_from_the_end_of_its_part_file_with_a_range_request()
    {
        var (fileId, bytes) = await CreateFileAsync((3 << 20) + 4321);
        var target = Path.Combine(_tessera.DataHome, "out.bin");
        const int Already = (1 << 20) + 17;
        await File.WriteAllBytesAsync(target + ".part", bytes[..Already], TestContext.Current.CancellationToken);

        var run = await _tessera.RunAsync("files", "download", fileId, "-o", target);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Resuming {target} at byte {Already} of {bytes.Length}.", run.StandardError);
        Assert.Equal([$"bytes={Already}-"], _recorder.Ranges);
        var downloaded = await File.ReadAllBytesAsync(target, TestContext.Current.CancellationToken);
        Assert.True(bytes.AsSpan().SequenceEqual(downloaded), "the downloaded bytes differ");
        Assert.False(File.Exists(target + ".part"), "the part file is left behind");
    }

    [Fact]
    public async Task A_download_without_a_part_file_asks_for_the_whole_file()
    {
        var (fileId, bytes) = await CreateFileAsync(100_000);
        var target = Path.Combine(_tessera.DataHome, "whole.bin");

        var run = await _tessera.RunAsync("files", "download", fileId, "-o", target);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain("Resuming", run.StandardError);
        Assert.Empty(_recorder.Ranges);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target, TestContext.Current.CancellationToken));
    }

    private async Task<(string FileId, byte[] Bytes)> CreateFileAsync(int length)
    {
        var bytes = RandomNumberGenerator.GetBytes(length);
        var source = Path.Combine(_tessera.DataHome, $"source-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(source, bytes, TestContext.Current.CancellationToken);
        var created = await _tessera.RunAsync("files", "create", "--file", source, "--purpose", "assistants");
        Assert.True(created.ExitCode == 0, created.ToString());
        return (JsonDocument.Parse(created.StandardOutput).RootElement.GetProperty("id").GetString()!, bytes);
    }
}
