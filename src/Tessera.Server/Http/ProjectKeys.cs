using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Tessera.Server.Hosting;

namespace Tessera.Server.Http;

/// <summary>
/// The configured API keys and the project each belongs to. Keys are kept as SHA-256 digests and compared in constant
/// time, every key every time, so neither timing nor length tells a caller how close a guess came.
/// </summary>
public sealed class ProjectKeys
{
    /// <summary>The project that open mode puts everything in.</summary>
    public const string DefaultProject = "default";

    private readonly (string Project, byte[] Digest)[] _keys;

    public ProjectKeys(IOptions<TesseraOptions> options)
    {
        _keys = [.. options.Value.Projects.SelectMany(p => p.Keys.Select(k => (p.Name, Digest(k))))];
    }

    public bool IsOpenMode => _keys.Length == 0;

    /// <summary>The project of <paramref name="key"/>; in open mode the default project whatever the key; null for an unknown key.</summary>
    public string? FindProject(string key)
    {
        if (IsOpenMode)
        {
            return DefaultProject;
        }

        var digest = Digest(key);
        string? found = null;
        foreach (var (project, candidate) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, candidate))
            {
                found = project;
            }
        }

        return found;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
