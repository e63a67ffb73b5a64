using Tessera.Server.Hosting;

namespace Tessera.Server.Http;

/// <summary>
/// Reads the key files of <c>Tessera:Projects:N:KeyFiles</c>: one key a line, blank lines and <c>#</c> comments ignored.
/// Each is read whole every time, following symlinks, so a container secret swapped by symlink (as Kubernetes does)
/// is seen like a file written in place. A file that cannot be read stops the server at start-up; later its last
/// keys stay in force, since a secret being swapped may be missing for a moment.
/// </summary>
internal sealed class KeyFiles(ILogger logger)
{
    private readonly Dictionary<string, string[]> _lastKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unreadable = new(StringComparer.Ordinal);

    /// <summary>The keys of <paramref name="path"/>, named by <paramref name="setting"/> in a start-up error.</summary>
    /// <exception cref="StartupException">When <paramref name="startingUp"/> and the file cannot be read.</exception>
    public string[] Read(string setting, string path, bool startingUp)
    {
        try
        {
            var keys = Parse(File.ReadAllLines(path));
            _lastKeys[path] = keys;
            _unreadable.Remove(path);
            return keys;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            if (startingUp)
            {
                throw new StartupException(StartupProblem.Configuration, $"{setting}: the key file {path} cannot be read: {exception.Message}", exception);
            }

            var last = _lastKeys.GetValueOrDefault(path, []);
            // Once per disappearance, not once per poll.
            if (_unreadable.Add(path))
            {
                logger.KeyFileUnreadable(path, last.Length, exception.Message);
            }

            return last;
        }
    }

    private static string[] Parse(string[] lines) =>
        [.. lines.Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith('#'))];
}
