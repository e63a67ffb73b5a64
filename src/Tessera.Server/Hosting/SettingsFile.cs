using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace Tessera.Server.Hosting;

/// <summary>
/// <c>Tessera:SettingsFile</c>: an operator's JSON settings file (<c>/etc/tessera/settings.json</c>), read after
/// <c>appsettings.json</c> and before the environment and the command line, which still override it. It is polled
/// for changes every few seconds (not watched: Kubernetes swaps a mounted file by renaming a symlink in the folder
/// above it, which a watcher of the file never sees), so keys and rate limits changed in it take effect without a
/// restart. A file that is missing or not valid JSON stops the server at start-up.
/// </summary>
internal static class SettingsFile
{
    public const string Setting = "Tessera:SettingsFile";

    /// <exception cref="StartupException">The file named does not exist.</exception>
    public static void AddTo(ConfigurationManager configuration)
    {
        if (configuration[Setting] is not { Length: > 0 } named)
        {
            return;
        }

        // Like Tessera:DataPath, a relative path means the folder the server was started from.
        var path = Path.GetFullPath(named);
        if (!File.Exists(path))
        {
            throw new StartupException(StartupProblem.Configuration, $"{Setting}: the settings file {path} does not exist.");
        }

        var loaded = false;
        var source = new JsonConfigurationSource
        {
            FileProvider = new PhysicalFileProvider(Path.GetDirectoryName(path)!) { UsePollingFileWatcher = true, UseActivePolling = true },
            Path = Path.GetFileName(path),
            Optional = false,
            ReloadOnChange = true,
            // At a reload the file may be caught half written; the next poll reads it whole. At start-up it stops the server.
            OnLoadException = failure => failure.Ignore = loaded,
        };
        IList<IConfigurationSource> sources = ((IConfigurationBuilder)configuration).Sources;
        var lastJson = sources.Select((existing, index) => existing is JsonConfigurationSource ? index : -1).Max();
        // The manager loads a source as it is added.
        sources.Insert(lastJson + 1, source);
        loaded = true;
    }
}
