using System.Security.Cryptography;
using System.Text;
using Tessera.Server.Hosting;

namespace Tessera.Server.Http;

/// <summary>
/// One consistent view of the projects, their keys (as SHA-256 digests) and their limits, built from the settings
/// and the key files they name. <see cref="ProjectKeys"/> swaps a whole new one in when either changes.
/// </summary>
internal sealed class ProjectKeySet
{
    private readonly Dictionary<string, ProjectRateLimits> _limits;

    private ProjectKeySet((string Project, byte[] Digest)[] keys, Dictionary<string, ProjectRateLimits> limits, ProjectRateLimits everyProject)
    {
        Keys = keys;
        _limits = limits;
        EveryProject = everyProject;
    }

    public (string Project, byte[] Digest)[] Keys { get; }

    public bool IsOpenMode => Keys.Length == 0;

    public int ProjectCount => _limits.Count;

    /// <summary>The limits of projects that set none of their own, and of open mode's project.</summary>
    public ProjectRateLimits EveryProject { get; }

    public ProjectRateLimits LimitsOf(string project) => _limits.GetValueOrDefault(project, EveryProject);

    /// <summary>
    /// The set the settings describe, with each key file read now; <paramref name="problems"/> gets a line for each
    /// key that is not acceptable (the settings' own keys were checked by <see cref="TesseraOptionsValidator"/>).
    /// </summary>
    public static ProjectKeySet Build(TesseraOptions options, KeyFiles files, bool startingUp, List<string> problems)
    {
        var everyProject = new ProjectRateLimits(options.RateLimits.RequestsPerSecond, options.RateLimits.ConcurrentParts);
        var keys = new List<(string, byte[])>();
        var limits = new Dictionary<string, ProjectRateLimits>(StringComparer.Ordinal);
        var seen = new HashSet<string>(options.Projects.SelectMany(p => p.Keys), StringComparer.Ordinal);
        for (var i = 0; i < options.Projects.Count; i++)
        {
            var project = options.Projects[i];
            var projectKeys = new List<string>(project.Keys);
            for (var f = 0; f < project.KeyFiles.Count; f++)
            {
                var setting = $"Tessera:Projects:{i}:KeyFiles:{f}";
                foreach (var key in files.Read(setting, project.KeyFiles[f], startingUp))
                {
                    if (key.Length < 8)
                    {
                        problems.Add($"{setting} ({project.KeyFiles[f]}) holds a key shorter than 8 characters.");
                    }
                    else if (!seen.Add(key) && !projectKeys.Contains(key))
                    {
                        problems.Add($"{setting} ({project.KeyFiles[f]}) holds a key of another project.");
                    }
                    else
                    {
                        projectKeys.Add(key);
                    }
                }
            }

            if (projectKeys.Count == 0)
            {
                problems.Add($"Tessera:Projects:{i} ({project.Name}) has no key: its Keys and KeyFiles hold none.");
            }

            keys.AddRange(projectKeys.Distinct(StringComparer.Ordinal).Select(key => (project.Name, Digest(key))));
            limits[project.Name] = new ProjectRateLimits(
                project.RateLimits.RequestsPerSecond ?? everyProject.RequestsPerSecond,
                project.RateLimits.ConcurrentParts ?? everyProject.ConcurrentParts);
        }

        return new ProjectKeySet([.. keys], limits, everyProject);
    }

    /// <summary>True when both hold the same keys for the same projects, and the same limits.</summary>
    public bool SameAs(ProjectKeySet other) =>
        EveryProject == other.EveryProject
        && _limits.Count == other._limits.Count && _limits.All(pair => other._limits.TryGetValue(pair.Key, out var limits) && limits == pair.Value)
        && Keys.Length == other.Keys.Length
        && Keys.Zip(other.Keys).All(pair => pair.First.Project == pair.Second.Project && pair.First.Digest.AsSpan().SequenceEqual(pair.Second.Digest));

    public static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
