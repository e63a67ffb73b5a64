namespace Tessera.Cli.Commands;

/// <summary>Opens what a file flag names: a path (an <c>@</c> before it is allowed, as the OpenAI CLI takes it) or <c>-</c> for standard input.</summary>
internal static class InputFile
{
    public static bool IsStandardInput(string value) => value is "-" or "@-" or "/dev/stdin";

    public static Stream Open(string flag, string value)
    {
        if (IsStandardInput(value))
        {
            return Console.OpenStandardInput();
        }

        var path = PathOf(value);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw CliException.Usage($"{flag}: no such file: {path}");
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException or IOException)
        {
            throw new CliException($"{flag}: cannot read {path}: {exception.Message}");
        }
    }

    public static string PathOf(string value) => value.StartsWith('@') ? value[1..] : value;
}
