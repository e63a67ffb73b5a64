using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace Tessera.Server.WebConsole;

/// <summary>
/// The web console's files, embedded in the server's assembly (<c>Console/wwwroot</c>, see the project file) so a
/// single-file publish carries them and nothing is fetched at run time. They are small (tens of kilobytes), so each is
/// read once, with its content type and an ETag made from its bytes.
/// </summary>
public sealed class ConsoleAssets
{
    /// <summary>The prefix of the assets' manifest resource names (the project file's <c>LogicalName</c>).</summary>
    private const string ResourcePrefix = "console/";

    private readonly FrozenDictionary<string, ConsoleAsset> _assets;

    private ConsoleAssets(FrozenDictionary<string, ConsoleAsset> assets) => _assets = assets;

    /// <summary>The paths served, relative to <c>/console/</c> (e.g. <c>index.html</c>, <c>vendor/hash-wasm/crc32.umd.min.js</c>).</summary>
    public IEnumerable<string> Paths => _assets.Keys;

    /// <summary>Reads every embedded asset of <paramref name="assembly"/>.</summary>
    public static ConsoleAssets Load(Assembly assembly)
    {
        // Embedded files carry no dates of their own. Every asset changes only with the server's binary, so the
        // moment this process loaded them is a Last-Modified no client can have seen a newer copy before; the ETag,
        // which follows the bytes, is what makes revalidation survive restarts.
        var loadedAt = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var contentTypes = new FileExtensionContentTypeProvider();
        var assets = new Dictionary<string, ConsoleAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            // RecursiveDir in the LogicalName uses the build machine's separator.
            var path = name.Replace('\\', '/');
            if (!path.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            path = path[ResourcePrefix.Length..];
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            // A file with no extension is a licence (vendor/*/LICENSE): text to read in the browser.
            var contentType = contentTypes.TryGetContentType(path, out var known) ? known
                : Path.HasExtension(path) ? "application/octet-stream" : "text/plain";
            if (contentType.StartsWith("text/", StringComparison.Ordinal))
            {
                contentType += "; charset=utf-8";
            }

            var etag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 16))}\"");
            assets[path] = new ConsoleAsset(bytes, contentType, etag, loadedAt);
        }

        return new ConsoleAssets(assets.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>The asset at <paramref name="path"/> (relative to <c>/console/</c>), or null when there is none.</summary>
    public ConsoleAsset? Find(string path) => _assets.GetValueOrDefault(path);
}

/// <summary>One file of the console, as served.</summary>
public sealed record ConsoleAsset(byte[] Content, string ContentType, EntityTagHeaderValue ETag, DateTimeOffset LastModified);
