using Microsoft.Extensions.Configuration.Json;

namespace Tessera.Server.Hosting;

/// <summary>
/// <c>Tessera:SettingsFile</c>: an operator's JSON settings file (<c>/etc/tessera/settings.json</c>), read after
/// <c>appsettings.json</c> and before the environment and the command line, which still override it. It is read
/// again every second (<see cref="PolledFileProvider"/>; not watched: Kubernetes swaps a mounted file by renaming a
/// symlink in the folder above it, which a watcher of the file never sees), so keys and rate limits changed in it
/// take effect within a few seconds of the write, without a restart. A file that is missing or not valid JSON stops
/// the server at start-up; at a reload, a file that is not valid JSON (caught half written, say) keeps its last
/// settings, and <see cref="SettingsReloadCheck"/> logs why.
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

        var source = new Source
        {
            FileProvider = new PolledFileProvider(path),
            Path = Path.GetFileName(path),
            Optional = false,
            ReloadOnChange = true,
        };
        IList<IConfigurationSource> sources = ((IConfigurationBuilder)configuration).Sources;
        var lastJson = sources.Select((existing, index) => existing is JsonConfigurationSource ? index : -1).Max();
        // The manager loads a source as it is added, so a file that is not valid JSON stops the server here.
        sources.Insert(lastJson + 1, source);
    }

    /// <summary>Why the settings file's last reload was not taken, or null when it was.</summary>
    public static string? ReloadFailure(IConfiguration configuration) =>
        (configuration as IConfigurationRoot)?.Providers.OfType<Provider>().Select(provider => provider.ReloadFailure).FirstOrDefault(failure => failure is not null);

    private sealed class Source : JsonConfigurationSource
    {
        public override IConfigurationProvider Build(IConfigurationBuilder builder)
        {
            EnsureDefaults(builder);
            return new Provider(this);
        }
    }

    /// <summary>A JSON file whose settings stay as last read when a reload finds it not valid JSON.</summary>
    private sealed class Provider(JsonConfigurationSource source) : JsonConfigurationProvider(source)
    {
        private bool _loaded;

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing)
            {
                (Source.FileProvider as IDisposable)?.Dispose();
            }
        }

        public string? ReloadFailure { get; private set; }

        public override void Load(Stream stream)
        {
            try
            {
                // Data is replaced only once the whole file has been parsed.
                base.Load(stream);
                _loaded = true;
                ReloadFailure = null;
            }
            catch (FormatException invalid) when (_loaded)
            {
                ReloadFailure = $"{Source.Path} is not valid JSON, so its last settings stay in force: {invalid.Message}";
            }
        }
    }
}
