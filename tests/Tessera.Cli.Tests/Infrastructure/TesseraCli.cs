using System.Diagnostics;
using System.Reflection;

namespace Tessera.Cli.Tests.Infrastructure;

/// <summary>
/// Runs the built <c>tessera</c> as a real process (<c>dotnet tessera.dll</c>, or the native executable named by
/// <c>TESSERA_CLI_EXECUTABLE</c>, as the packed tool installs it) against <see cref="BaseUrl"/>, with none of the
/// caller's <c>OPENAI_*</c> variables and a resume-state folder of its own.
/// </summary>
public sealed class TesseraCli(Uri baseUrl, string? apiKey = TesseraTestServer.KeyA) : IDisposable
{
    public static readonly string CliPath = typeof(TesseraCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "TesseraCliPath").Value!;

    /// <summary>The command line that runs tessera, before its arguments.</summary>
    public static readonly IReadOnlyList<string> Command =
        Environment.GetEnvironmentVariable("TESSERA_CLI_EXECUTABLE") is { Length: > 0 } executable ? [executable] : ["dotnet", CliPath];

    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    public Uri BaseUrl { get; } = baseUrl;

    /// <summary>Where resume state files go (the process's XDG_DATA_HOME).</summary>
    public string DataHome { get; } = Directory.CreateTempSubdirectory("tessera-cli-home-").FullName;

    public Task<CliRun> RunAsync(params string[] args) => RunAsync(args, standardInput: null);

    public async Task<CliRun> RunAsync(string[] args, byte[]? standardInput, Action<Process>? whileRunning = null)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        if (standardInput is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(standardInput, TestContext.Current.CancellationToken);
        }

        process.StandardInput.Close();
        whileRunning?.Invoke(process);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Deadline);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"tessera {string.Join(' ', args)} did not finish within {Deadline}.");
        }

        return new CliRun(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts the process with its streams redirected; the caller reads them.</summary>
    public Process Start(IEnumerable<string> args)
    {
        var info = NewStartInfo(args);
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        return Process.Start(info)!;
    }

    /// <summary>
    /// Starts the process as <see cref="Start"/> does, with SIGINT's default disposition restored first (coreutils'
    /// <c>env --default-signal=INT</c>, which then runs the command in its place, same process id): a job started in the
    /// background (<c>scripts/test.sh &amp;</c>) begins with SIGINT ignored, its children inherit that, and .NET leaves
    /// an ignored SIGINT ignored, so the Ctrl-C a test sends would never arrive.
    /// </summary>
    public Process StartInterruptible(IEnumerable<string> args)
    {
        var info = NewStartInfo(args);
        info.ArgumentList.Insert(0, info.FileName);
        info.ArgumentList.Insert(0, "--default-signal=INT");
        info.FileName = "env";
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        return Process.Start(info)!;
    }

    /// <summary>The start info of a run: <see cref="Command"/> then ARGS, with the base URL and key in the environment.</summary>
    public ProcessStartInfo NewStartInfo(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(Command[0]) { UseShellExecute = false };
        foreach (var word in Command.Skip(1))
        {
            info.ArgumentList.Add(word);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var name in new[] { "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID" })
        {
            info.Environment.Remove(name);
        }

        info.Environment["OPENAI_BASE_URL"] = BaseUrl.ToString();
        if (apiKey is not null)
        {
            info.Environment["OPENAI_API_KEY"] = apiKey;
        }

        info.Environment["XDG_DATA_HOME"] = DataHome;
        info.Environment["DOTNET_NOLOGO"] = "1";
        return info;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(DataHome, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not a test failure.
        }
    }
}
