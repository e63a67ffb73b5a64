using System.Diagnostics;

namespace Tessera.ConsoleBench;

/// <summary>One <c>tessera upload</c> of the file as a user runs it (a fresh process, its output not a terminal).</summary>
internal static class CliUpload
{
    public static async Task<Measured> RunAsync(
        IReadOnlyList<string> cli, Uri root, string file, IReadOnlyList<string> flags, string home, CpuTime cpu, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(cli[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in cli.Skip(1).Concat(["upload", file, "--purpose", "batch"]).Concat(flags))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["OPENAI_BASE_URL"] = new Uri(root, "v1").ToString();
        start.Environment["OPENAI_API_KEY"] = "bench";
        start.Environment["XDG_DATA_HOME"] = home;
        start.Environment.Remove("OPENAI_ORG_ID");
        start.Environment.Remove("OPENAI_PROJECT_ID");

        var spent = cpu.Read();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {cli[0]}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var measured = new Measured(clock.Elapsed, cpu.Since(spent));
        await output;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"tessera upload failed ({process.ExitCode}): {await errors}");
        }

        return measured;
    }
}
