using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Tessera.Cli.Tests.Infrastructure;

namespace Tessera.Cli.Tests;

/// <summary><c>tessera upload</c>: parallel parts, resume after a killed process, and its progress display.</summary>
public sealed class UploadCommandTests : IAsyncLifetime
{
    private const int PartSize = 1 << 20;

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
    public async Task A_multi_part_file_goes_up_in_parallel_parts_and_arrives_byte_for_byte_with_its_md5()
    {
        var (path, bytes) = await WriteFileAsync(6 * PartSize + 12345);

        var run = await _tessera.RunAsync("upload", path, "--purpose", "assistants", "--part-size", "1MiB", "--parallel", "4");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(7, _recorder.PartsStored);
        Assert.True(_recorder.MostPartsInFlight > 1, $"at most {_recorder.MostPartsInFlight} part in flight");
        var file = JsonDocument.Parse(run.StandardOutput).RootElement.GetProperty("file");
        Assert.Equal(bytes.Length, file.GetProperty("bytes").GetInt64());
        await AssertServerHoldsAsync(file.GetProperty("id").GetString()!, bytes);
    }

    [Fact]
    public async Task A_part_size_that_would_need_more_than_10000_parts_is_refused_before_the_upload_is_created_saying_what_to_use()
    {
        var (path, _) = await WriteFileAsync(20_001);

        var run = await _tessera.RunAsync("upload", path, "--purpose", "assistants", "--part-size", "2");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("(20001 bytes) in parts of 2 bytes needs more than 10000 parts, the most an upload may have; use --part-size 3 or larger.",
            run.StandardError, StringComparison.Ordinal);
        Assert.Empty(_recorder.Requests);
    }

    [Fact]
    public async Task An_upload_killed_after_three_parts_is_resumed_by_a_second_run_that_sends_only_the_missing_parts()
    {
        var (path, bytes) = await WriteFileAsync(8 * PartSize);
        _recorder.AcceptOnlyParts = 3;

        using (var first = _tessera.Start(["upload", path, "--purpose", "assistants", "--part-size", "1MiB", "--parallel", "2"]))
        {
            await _recorder.PartHeld.Task.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
            // Parts past the third are held unanswered: exactly three are on the server when the process dies.
            await WaitUntilAsync(() => _recorder.PartsStored == 3);
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        _recorder.ResetCounts();
        var second = await _tessera.RunAsync("upload", path, "--purpose", "assistants", "--part-size", "1MiB", "--parallel", "2");

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(5, _recorder.PartsStored);
        Assert.Equal(1, _recorder.Requests.Count(r => r == "POST /v1/uploads/complete" || r.EndsWith("/complete", StringComparison.Ordinal)));
        Assert.DoesNotContain(_recorder.Requests, r => r == "POST /v1/uploads");
        Assert.Contains("3 parts were already on the server, 5 sent now", second.StandardError);
        var file = JsonDocument.Parse(second.StandardOutput).RootElement.GetProperty("file");
        await AssertServerHoldsAsync(file.GetProperty("id").GetString()!, bytes);
    }

    [Fact]
    public async Task Ctrl_C_after_three_parts_exits_130_saying_how_to_resume_and_that_command_sends_only_the_missing_parts()
    {
        var (path, bytes) = await WriteFileAsync(8 * PartSize);
        _recorder.AcceptOnlyParts = 3;

        CliRun interrupted;
        using (var first = _tessera.StartInterruptible(["upload", path, "--purpose", "assistants", "--part-size", "1MiB", "--parallel", "2"]))
        {
            var stdout = first.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = first.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await _recorder.PartHeld.Task.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
            await WaitUntilAsync(() => _recorder.PartsStored == 3);
            await SendInterruptAsync(first.Id);
            await first.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
            interrupted = new CliRun(first.ExitCode, await stdout, await stderr);
        }

        Assert.True(interrupted.ExitCode == 130, interrupted.ToString());
        Assert.Contains("Stopped: 3 of 8 parts of upload upload_", interrupted.StandardError);
        Assert.DoesNotContain("Exception", interrupted.StandardError);
        Assert.DoesNotContain("   at ", interrupted.StandardError);
        Assert.Empty(interrupted.StandardOutput);
        const string Hint = "Run the same command again to resume: tessera ";
        var resume = interrupted.StandardError.Split('\n').Single(line => line.Contains(Hint, StringComparison.Ordinal));
        var command = resume[(resume.IndexOf(Hint, StringComparison.Ordinal) + Hint.Length)..].Trim().Split(' ');

        _recorder.ResetCounts();
        var second = await _tessera.RunAsync(command);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(["upload", path, "--purpose", "assistants"], command);
        Assert.Equal(5, _recorder.PartsStored);
        Assert.DoesNotContain(_recorder.Requests, r => r == "POST /v1/uploads");
        Assert.Contains("3 parts were already on the server, 5 sent now", second.StandardError);
        var file = JsonDocument.Parse(second.StandardOutput).RootElement.GetProperty("file");
        await AssertServerHoldsAsync(file.GetProperty("id").GetString()!, bytes);
    }

    [Fact]
    public async Task Progress_is_plain_lines_without_escape_codes_when_the_output_is_a_pipe()
    {
        var (path, _) = await WriteFileAsync(3 * PartSize);

        var run = await _tessera.RunAsync("upload", path, "--purpose", "assistants", "--part-size", "1MiB");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"upload {Path.GetFileName(path)}: 3.0 MiB of 3.0 MiB (100%)", run.StandardError);
        Assert.DoesNotContain('\u001b', run.StandardError);
    }

    [Fact]
    public async Task Progress_is_a_live_bar_on_a_terminal()
    {
        if (!File.Exists("/usr/bin/script"))
        {
            Assert.Skip("util-linux's script, which gives the CLI a pseudo-terminal, is not installed");
        }

        var (path, _) = await WriteFileAsync(3 * PartSize);
        var command = string.Join(' ', TesseraCli.Command.Concat(["upload", path, "--purpose", "assistants", "--part-size", "1MiB"]).Select(Quote));
        var info = _tessera.NewStartInfo([]);
        info.FileName = "/usr/bin/script";
        info.ArgumentList.Clear();
        foreach (var arg in new[] { "-qfec", command, "/dev/null" })
        {
            info.ArgumentList.Add(arg);
        }

        info.RedirectStandardOutput = true;
        info.RedirectStandardInput = true;
        info.Environment["TERM"] = "xterm-256color";
        using var process = Process.Start(info)!;
        var screen = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        var text = await screen;

        Assert.True(process.ExitCode == 0, text);
        Assert.Contains('\u001b', text);
        Assert.Contains("━", text);
        Assert.Contains("100%", text);
    }

    private async Task<(string Path, byte[] Bytes)> WriteFileAsync(int length)
    {
        var bytes = RandomNumberGenerator.GetBytes(length);
        var path = Path.Combine(_tessera.DataHome, $"big-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);
        return (path, bytes);
    }

    private async Task AssertServerHoldsAsync(string fileId, byte[] expected)
    {
        using var http = _server.CreateClient();
        var held = await http.GetByteArrayAsync($"files/{fileId}/content", TestContext.Current.CancellationToken);
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(expected)), Convert.ToHexStringLower(MD5.HashData(held)));
        Assert.True(expected.AsSpan().SequenceEqual(held), "the file's bytes differ");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(1), "the condition did not become true in a minute");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>SIGINT, as Ctrl-C on a terminal sends it to the foreground process.</summary>
    private static async Task SendInterruptAsync(int processId)
    {
        using var kill = Process.Start("kill", ["-INT", processId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, kill.ExitCode);
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
