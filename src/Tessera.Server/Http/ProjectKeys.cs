using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Tessera.Server.Hosting;

namespace Tessera.Server.Http;

/// <summary>
/// The API keys, the project each belongs to, and each project's rate limits. Keys are kept as SHA-256 digests and
/// compared in constant time, every key every time, so neither timing nor length tells a caller how close a guess
/// came. Follows the settings (<see cref="IOptionsMonitor{TOptions}"/>) and the key files (<see cref="KeyFileWatcher"/>):
/// projects, keys and limits added, changed or removed take effect without a restart. A change that leaves a keyed
/// server with no key at all is refused and logged: open mode is decided at start-up, where its loopback check runs.
/// </summary>
public sealed class ProjectKeys : IDisposable
{
    /// <summary>The project that open mode puts everything in.</summary>
    public const string DefaultProject = "default";

    private readonly Lock _reloading = new();
    private readonly KeyFiles _files;
    private readonly ILogger<ProjectKeys> _logger;
    private readonly IDisposable? _subscription;
    private TesseraOptions _options;
    private string? _lastRefusal;
    private volatile ProjectKeySet _current;

    /// <exception cref="StartupException">A key file cannot be read, or holds a key that is not acceptable.</exception>
    public ProjectKeys(IOptionsMonitor<TesseraOptions> options, ILogger<ProjectKeys> logger)
    {
        _logger = logger;
        _files = new KeyFiles(logger);
        _options = options.CurrentValue;
        var problems = new List<string>();
        _current = ProjectKeySet.Build(_options, _files, startingUp: true, problems);
        if (problems.Count > 0)
        {
            throw new StartupException(StartupProblem.Configuration, string.Join(Environment.NewLine, problems));
        }

        _subscription = options.OnChange(changed => Reload(changed));
    }

    public bool IsOpenMode => _current.IsOpenMode;

    /// <summary>The project of <paramref name="key"/>; in open mode the default project whatever the key; null for an unknown key.</summary>
    public string? FindProject(string key)
    {
        var current = _current;
        if (current.IsOpenMode)
        {
            return DefaultProject;
        }

        var digest = ProjectKeySet.Digest(key);
        string? found = null;
        foreach (var (project, candidate) in current.Keys)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, candidate))
            {
                found = project;
            }
        }

        return found;
    }

    /// <summary>The limits <paramref name="project"/> has on this node now.</summary>
    public ProjectRateLimits RateLimitsOf(string project) => _current.LimitsOf(project);

    /// <summary>Reads the key files again (<see cref="KeyFileWatcher"/> calls it every few seconds).</summary>
    public void ReloadKeyFiles() => Reload(null);

    /// <summary>Builds the keys of <paramref name="changed"/> settings (null: the current ones, files read again) and swaps them in when acceptable.</summary>
    private void Reload(TesseraOptions? changed)
    {
        lock (_reloading)
        {
            var options = changed ?? _options;
            var problems = new List<string>();
            var next = ProjectKeySet.Build(options, _files, startingUp: false, problems);
            if (next.IsOpenMode && !_current.IsOpenMode)
            {
                problems.Add("no project has a key any more, and a server started with keys does not fall back to open mode; restart it to run in open mode.");
            }

            if (problems.Count > 0)
            {
                // The key files are read every few seconds: a refusal is logged when it is new, not at every poll.
                var refusal = string.Join(" ", problems);
                if (refusal != _lastRefusal)
                {
                    _logger.KeysReloadRefused(refusal);
                    _lastRefusal = refusal;
                }

                return;
            }

            _lastRefusal = null;
            _options = options;
            if (!next.SameAs(_current))
            {
                _current = next;
                _logger.KeysReloaded(next.ProjectCount, next.Keys.Length);
            }
        }
    }

    public void Dispose() => _subscription?.Dispose();
}
