namespace Tessera.Console.Tests.Infrastructure;

/// <summary>Where a failed test leaves its screenshot: <see cref="Variable"/> when set, else beside the test binary.</summary>
internal static class Artifacts
{
    public const string Variable = "TESSERA_TEST_ARTIFACTS";

    public static string Folder
    {
        get
        {
            var root = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path
                ? path
                : AppContext.BaseDirectory;
            var folder = Path.Combine(root, "screenshots");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    /// <summary>A file name for the current test, safe on any file system.</summary>
    public static string PathFor(string testName, string extension)
    {
        var safe = string.Concat(testName.Select(c => char.IsLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_'));
        if (safe.Length > 150)
        {
            safe = safe[..150];
        }

        return Path.Combine(Folder, $"{safe}-{DateTime.UtcNow:yyyyMMddTHHmmss}.{extension}");
    }
}
