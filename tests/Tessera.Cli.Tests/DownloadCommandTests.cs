using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Tessera.Cli.Tests.Infrastructure;

namespace Tessera.Cli.Tests;

/// <summary>
/// <c>tessera files download</c>: a whole file, one continued from a partial <c>PATH.part</c>, and one stopped by
/// Ctrl-C, which says how to continue.
/// </summary>
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

    [Fact]
    public async Task Ctrl_C_during_a_download_exits_130_saying_how_to_continue_and_that_command_continues_it()
    {
        var (fileId, bytes) = await CreateFileAsync((3 << 20) + 99);
        var target = Path.Combine(_tessera.DataHome, "stopped.bin");
        const int Sent = 1 << 20;
        _recorder.SendContentBytesThenHold = Sent;

        CliRun interrupted;
        using (var first = _tessera.Start(["files", "download", fileId, "-o", target]))
        {
            var stdout = first.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = first.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await _recorder.ContentHeld.Task.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
            await Eventually.HoldsAsync(
                () => Task.FromResult(File.Exists(target + ".part") && new FileInfo(target + ".part").Length == Sent),
                "the bytes sent are in the part file", TimeSpan.FromMinutes(1));
            await SendInterruptAsync(first.Id);
            await first.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
            interrupted = new CliRun(first.ExitCode, await stdout, await stderr);
        }

        Assert.True(interrupted.ExitCode == 130, interrupted.ToString());
        Assert.Contains($"Stopped: {Sent} of {bytes.Length} bytes of {fileId} are in {target}.part.", interrupted.StandardError);
        Assert.DoesNotContain("   at ", interrupted.StandardError);
        const string Hint = "Run the same command again to continue from there: tessera ";
        var hint = interrupted.StandardError.Split('\n').Single(line => line.Contains(Hint, StringComparison.Ordinal));
        var command = hint[(hint.IndexOf(Hint, StringComparison.Ordinal) + Hint.Length)..].Trim().Split(' ');

        _recorder.SendContentBytesThenHold = null;
        var again = await _tessera.RunAsync(command);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"Resuming {target} at byte {Sent} of {bytes.Length}.", again.StandardError);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target, TestContext.Current.CancellationToken));
    }

    /// <summary>SIGINT, as Ctrl-C on a terminal sends it to the foreground process.</summary>
    private static async Task SendInterruptAsync(int processId)
    {
        using var kill = Process.Start("kill", ["-INT", processId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, kill.ExitCode);
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
