using System.Security.Cryptography;
using System.Text.Json;
using Tessera.Cli.Tests.Infrastructure;
using Tessera.Contracts;

namespace Tessera.Cli.Tests;

/// <summary>
/// <c>tessera upload</c> and <c>tessera files download</c> checking CRC32C against a real server, through a proxy
/// that damages bytes on the way, holds completions, or hides the server's checksum announcement.
/// </summary>
public sealed class ChecksumCommandTests : IAsyncLifetime
{
    private const int PartSize = 1 << 20;

    private TesseraTestServer _server = null!;
    private ByteFlippingProxy _proxy = null!;
    private TesseraCli _tessera = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await TesseraTestServer.StartAsync();
        _proxy = await ByteFlippingProxy.StartAsync(_server.Root);
        _proxy.PartsToDamage = 0;
        _tessera = new TesseraCli(_proxy.BaseAddress);
    }

    public async ValueTask DisposeAsync()
    {
        _tessera.Dispose();
        await _proxy.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Upload_sends_a_part_damaged_in_transit_again_and_the_file_arrives_intact()
    {
        var (path, bytes) = await WriteFileAsync(4 * PartSize + 321);
        _proxy.PartsToDamage = 1;

        var run = await _tessera.RunAsync("upload", path, "--purpose", "assistants", "--part-size", "1MiB");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(1, _proxy.PartsDamaged);
        Assert.Equal(6, _proxy.PartRequests);
        await AssertServerHoldsAsync(FileIdOf(run), bytes);
    }

    [Fact]
    public async Task Upload_with_md5_sends_the_files_md5_at_completion_besides_its_crc32c()
    {
        var (path, bytes) = await WriteFileAsync(2 * PartSize + 7);

        var run = await _tessera.RunAsync("upload", path, "--purpose", "assistants", "--part-size", "1MiB", "--md5");

        Assert.True(run.ExitCode == 0, run.ToString());
        var complete = Completion();
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(bytes)), Md5Of(complete));
        Assert.Equal(Crc32C.ToHeaderValue(Crc32C.Compute(bytes)), complete.Crc32C);
    }

    [Fact]
    public async Task Upload_against_a_server_that_checks_crc32c_sends_no_md5_by_default()
    {
        var (path, bytes) = await WriteFileAsync(2 * PartSize);

        var run = await _tessera.RunAsync("upload", path, "--purpose", "assistants", "--part-size", "1MiB");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Null(Md5Of(Completion()));
        Assert.Equal(Crc32C.ToHeaderValue(Crc32C.Compute(bytes)), Completion().Crc32C);
    }

    [Fact]
    public async Task Upload_against_a_server_without_the_checksum_announcement_still_sends_the_files_md5()
    {
        var (path, bytes) = await WriteFileAsync(2 * PartSize + 1);
        _proxy.HideChecksumAnnouncement = true;

        var run = await _tessera.RunAsync("upload", path, "--purpose", "assistants", "--part-size", "1MiB");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(bytes)), Md5Of(Completion()));
        Assert.All(_proxy.Requests, request => Assert.Null(request.Crc32C));
    }

    [Fact]
    public async Task Upload_with_both_md5_and_no_md5_is_refused_saying_they_contradict_each_other()
    {
        var (path, _) = await WriteFileAsync(10);

        var run = await _tessera.RunAsync("upload", path, "--purpose", "assistants", "--md5", "--no-md5");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--md5 and --no-md5 contradict each other", run.StandardError, StringComparison.Ordinal);
        Assert.Empty(_proxy.Requests);
    }

    [Fact]
    public async Task A_resumed_upload_with_every_part_on_the_server_sends_no_part_completes_and_shows_no_made_up_rate()
    {
        var (path, bytes) = await WriteFileAsync(6 * PartSize);
        _proxy.HoldCompletions = true;
        using (var first = _tessera.Start(["upload", path, "--purpose", "assistants", "--part-size", "1MiB"]))
        {
            // Every part is on the server once the completion arrives; the process dies before it is answered.
            await _proxy.CompletionHeld.Task.WaitAsync(TimeSpan.FromMinutes(1), Token);
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync(Token);
        }

        _proxy.HoldCompletions = false;
        var partsBefore = _proxy.PartRequests;
        var second = await _tessera.RunAsync("upload", path, "--purpose", "assistants", "--part-size", "1MiB");

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(6, partsBefore);
        Assert.Equal(partsBefore, _proxy.PartRequests);
        Assert.Contains("6 parts were already on the server, 0 sent now", second.StandardError, StringComparison.Ordinal);
        var progress = second.StandardError.Split('\n').Where(line => line.StartsWith($"upload {Path.GetFileName(path)}:", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(progress);
        Assert.All(progress, line => Assert.DoesNotContain("/s", line, StringComparison.Ordinal));
        Assert.All(progress, line => Assert.DoesNotContain("left", line, StringComparison.Ordinal));
        Assert.Contains("6.0 MiB already there", progress[^1], StringComparison.Ordinal);
        await AssertServerHoldsAsync(FileIdOf(second), bytes);
    }

    [Fact]
    public async Task Download_of_a_file_damaged_in_storage_exits_1_deletes_the_part_file_and_says_to_download_again()
    {
        if (TesseraTestServer.Storage != TesseraTestServer.SqliteFolderStorage)
        {
            Assert.Skip("Only the folder store keeps blobs as files that a test can damage.");
        }

        var (fileId, _) = await CreateFileAsync(300_000);
        _server.FlipStoredByte(Assert.Single(await _server.StoredBlobKeysAsync(Token)), 123_456);
        var target = Path.Combine(_tessera.DataHome, "damaged.bin");

        var run = await _tessera.RunAsync("files", "download", fileId, "-o", target);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("do not match the file's checksum", run.StandardError, StringComparison.Ordinal);
        Assert.Contains($"{target}.part was deleted; run the same command again to download the file afresh.", run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(target + ".part"), "the damaged part file is left behind");
        Assert.False(File.Exists(target), "the damaged file was written");
    }

    [Fact]
    public async Task A_resumed_download_whose_part_file_holds_wrong_bytes_is_refused_and_the_next_run_downloads_it_whole()
    {
        var (fileId, bytes) = await CreateFileAsync((2 << 20) + 99);
        var target = Path.Combine(_tessera.DataHome, "resumed.bin");
        var wrong = bytes[..100_000];
        wrong[500] ^= 0xFF;
        await File.WriteAllBytesAsync(target + ".part", wrong, Token);

        var refused = await _tessera.RunAsync("files", "download", fileId, "-o", target);
        var again = await _tessera.RunAsync("files", "download", fileId, "-o", target);

        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains($"{target}.part was deleted", refused.StandardError, StringComparison.Ordinal);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.DoesNotContain("Resuming", again.StandardError, StringComparison.Ordinal);
        var downloaded = await File.ReadAllBytesAsync(target, Token);
        Assert.True(bytes.AsSpan().SequenceEqual(downloaded), "the downloaded bytes differ");
    }

    private ProxiedRequest Completion() => _proxy.Requests.Single(r => r.Path.EndsWith("/complete", StringComparison.Ordinal));

    private static string? Md5Of(ProxiedRequest complete) =>
        JsonDocument.Parse(complete.Body!).RootElement.TryGetProperty("md5", out var md5) && md5.ValueKind == JsonValueKind.String ? md5.GetString() : null;

    private static string FileIdOf(CliRun run) =>
        JsonDocument.Parse(run.StandardOutput).RootElement.GetProperty("file").GetProperty("id").GetString()!;

    private async Task<(string Path, byte[] Bytes)> WriteFileAsync(int length)
    {
        var bytes = RandomNumberGenerator.GetBytes(length);
        var path = Path.Combine(_tessera.DataHome, $"source-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(path, bytes, Token);
        return (path, bytes);
    }

    private async Task<(string FileId, byte[] Bytes)> CreateFileAsync(int length)
    {
        var (path, bytes) = await WriteFileAsync(length);
        var created = await _tessera.RunAsync("files", "create", "--file", path, "--purpose", "assistants");
        Assert.True(created.ExitCode == 0, created.ToString());
        return (JsonDocument.Parse(created.StandardOutput).RootElement.GetProperty("id").GetString()!, bytes);
    }

    private async Task AssertServerHoldsAsync(string fileId, byte[] expected)
    {
        using var http = _server.CreateClient();
        var held = await http.GetByteArrayAsync($"files/{fileId}/content", Token);
        Assert.True(expected.AsSpan().SequenceEqual(held), "the file's bytes differ");
    }
}
