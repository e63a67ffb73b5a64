namespace Tessera.Cli.Commands;

/// <summary>Words of a command printed for someone to run again, as a POSIX shell reads them.</summary>
internal static class CommandLineText
{
    /// <summary>The word as is when a shell keeps it whole, else in single quotes.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@%+,".Contains(c, StringComparison.Ordinal))
            ? word
            : $"'{word.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
