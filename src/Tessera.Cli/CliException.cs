namespace Tessera.Cli;

/// <summary>
/// A failure the CLI explains itself (a file that cannot be read, a flag that makes no sense with another): its
/// message goes to standard error as is, and the process exits with <see cref="ExitCode"/>.
/// </summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>A command line that cannot be run as written; exits 2, as a parse error does.</summary>
    public static CliException Usage(string message) => new(message, ExitCodes.Usage);
}
