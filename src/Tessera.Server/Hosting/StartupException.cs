namespace Tessera.Server.Hosting;

/// <summary>What kind of problem stopped the server, which decides its exit code.</summary>
public enum StartupProblem
{
    /// <summary>A setting is wrong: exit code 2.</summary>
    Configuration = 2,

    /// <summary>The machine does not allow what the settings ask (a folder, a port, a lock): exit code 3.</summary>
    Environment = 3,
}

/// <summary>
/// A configuration or environment error found before the server touches any data. <c>Program.cs</c> prints its
/// message (which names the setting or path) and exits with <see cref="ExitCode"/>, without a stack trace.
/// </summary>
public sealed class StartupException(StartupProblem problem, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public StartupProblem Problem { get; } = problem;

    public int ExitCode => (int)Problem;
}
