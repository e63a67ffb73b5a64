namespace Tessera.Cli.Tests.Infrastructure;

/// <summary>What one run of <c>tessera</c> left: its exit code and both output streams.</summary>
public sealed record CliRun(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
}
