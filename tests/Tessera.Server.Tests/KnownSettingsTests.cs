using System.Text.RegularExpressions;
using Tessera.Server.Hosting;

namespace Tessera.Server.Tests;

/// <summary>
/// The keys a server refuses as unknown are found from its options classes; every key the guides, the deployment
/// files and the scripts name must be one of them, or following the documentation would stop the server.
/// </summary>
public sealed partial class KnownSettingsTests
{
    /// <summary>The slips docs/configuration.md shows as examples of keys the server refuses.</summary>
    private static readonly string[] DocumentedMisspellings = ["Tessera:Projects:0:Kyes", "Tessera:Projects:0:Kyes:0", "Tessera:Limts:MaxPartBytes"];

    [Fact]
    public void Every_setting_the_guides_deployments_and_scripts_name_is_one_Tessera_knows()
    {
        var root = RepositoryRoot();
        string[] folders = ["docs", "deploy", "scripts", "bench"];
        var files = folders.SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "*", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && Path.GetExtension(file) is ".md" or ".sh" or ".yml" or ".yaml" or ".json" or ".cs" or ".service")
            .Append(Path.Combine(root, "README.md"));

        var named = files.SelectMany(file => SettingName().Matches(File.ReadAllText(file)).Select(match => (File: file, Key: Normalise(match.Value))))
            .DistinctBy(setting => setting.Key, StringComparer.OrdinalIgnoreCase)
            .ToList();

        Assert.Contains(named, setting => setting.Key == "Tessera:Projects:0:Keys:0");
        Assert.All(DocumentedMisspellings, key => Assert.False(KnownSettings.IsKnown(key), key));
        Assert.Empty(named.Where(setting => !KnownSettings.IsKnown(setting.Key) && !DocumentedMisspellings.Contains(setting.Key)).Select(setting => $"{setting.Key} in {Path.GetRelativePath(root, setting.File)}"));
    }

    [Theory]
    [InlineData("Tessera:SettingsFile")]
    [InlineData("tessera:projects:3:keyfiles:0")]
    [InlineData("Tessera:Blobs:S3:MaxErrorRetry")]
    [InlineData("Tessera:Telemetry:Prometheus:Port")]
    public void Keys_bound_anywhere_under_Tessera_are_known(string key) => Assert.True(KnownSettings.IsKnown(key), key);

    [Theory]
    [InlineData("Tessera:IsOpenMode")]
    [InlineData("Tessera:ForwardedHeaders:IsEnabled")]
    [InlineData("Tessera:Limits:MaxFilenameBytes")]
    [InlineData("Tessera:DataPath:Folder")]
    public void Computed_values_and_constants_are_not_settings(string key) => Assert.False(KnownSettings.IsKnown(key), key);

    /// <summary><c>Tessera__Projects__N__Keys__M:</c> as <c>Tessera:Projects:0:Keys:0</c>.</summary>
    private static string Normalise(string key) =>
        Placeholder().Replace(key.Replace("__", ":", StringComparison.Ordinal), ":0").TrimEnd(':');

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Tessera.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Tessera.slnx above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"Tessera(?::|__)[A-Za-z0-9:_]+")]
    private static partial Regex SettingName();

    [GeneratedRegex(@":(N|M|\d+)(?=:|$)")]
    private static partial Regex Placeholder();
}
