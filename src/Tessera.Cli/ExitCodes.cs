namespace Tessera.Cli;

/// <summary>The process's exit codes.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The server answered an error, or the request could not be made.</summary>
    public const int Failure = 1;

    /// <summary>The command line is wrong: an unknown command or flag, a missing or bad value.</summary>
    public const int Usage = 2;

    /// <summary>Stopped by Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
