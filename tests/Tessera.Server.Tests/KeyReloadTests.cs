using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tessera.Server.Hosting;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// Keys, rate limits and quotas change without a restart (docs/operations.md, "How keys reload"): from the operator's settings file
/// (Tessera:SettingsFile) and from key files (Tessera:Projects:N:KeyFiles), which a container gets as secrets.
/// </summary>
public sealed class KeyReloadTests : IDisposable
{
    private const string KeyC = "sk-gamma-test-key-000000000003";
    private const string FileKey1 = "sk-file-key-0000000000000001";
    private const string FileKey2 = "sk-file-key-0000000000000002";

    /// <summary>The settings file is read every second and the key files every 2 s; a busy machine may be slower.</summary>
    private static readonly TimeSpan ReloadBound = TimeSpan.FromSeconds(30);

    /// <summary>What docs/operations.md promises for a change to the settings file: applied within 5 s of the write.</summary>
    private static readonly TimeSpan RotationDeadline = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan KeyFilePoll = TimeSpan.FromSeconds(2);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("tessera-keys-");
    private readonly LogCapture _logs = new();

    private string SettingsPath => Path.Combine(_folder.FullName, "settings.json");

    [Fact]
    public async Task A_key_added_to_the_settings_file_is_accepted_and_one_removed_is_refused_without_a_restart()
    {
        WriteSettings(Projects(("alpha", TesseraTestServer.KeyA)));
        await using var server = await StartWithSettingsFileAsync();
        using var alpha = server.CreateClient(TesseraTestServer.KeyA);
        using var gamma = server.CreateClient(KeyC);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(gamma));

        WriteSettings(Projects(("alpha", TesseraTestServer.KeyA), ("gamma", KeyC)));
        await Eventually.HoldsAsync(async () => await StatusAsync(gamma) == HttpStatusCode.OK, "gamma's new key is accepted", ReloadBound);

        WriteSettings(Projects(("alpha", TesseraTestServer.KeyA)));
        await Eventually.HoldsAsync(async () => await StatusAsync(gamma) == HttpStatusCode.Unauthorized, "gamma's removed key is refused", ReloadBound);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(alpha));
    }

    [Fact]
    public async Task A_key_rotated_in_the_settings_file_applies_within_5_seconds_of_the_write_each_time()
    {
        WriteSettings(Projects(("alpha", TesseraTestServer.KeyA)));
        await using var server = await StartWithSettingsFileAsync();

        // Three rotations, so that a reload that merely happened to come soon after one write does not pass.
        for (var rotation = 1; rotation <= 3; rotation++)
        {
            var key = $"sk-rotated-key-{rotation:D16}";
            using var rotated = server.CreateClient(key);
            var written = System.Diagnostics.Stopwatch.StartNew();
            WriteSettings(Projects(("alpha", TesseraTestServer.KeyA), ("gamma", key)));
            await Eventually.HoldsAsync(async () => await StatusAsync(rotated) == HttpStatusCode.OK, $"rotation {rotation}'s key is accepted", ReloadBound);
            Assert.True(written.Elapsed <= RotationDeadline, $"rotation {rotation}'s key took {written.Elapsed.TotalSeconds:F1} s to apply");
        }
    }

    [Fact]
    public async Task A_settings_file_swapped_by_symlink_as_Kubernetes_does_is_reloaded()
    {
        var mounted = MountLikeKubernetes("settings.json", SettingsJson(Projects(("alpha", TesseraTestServer.KeyA))));
        await using var server = await StartWithSettingsFileAsync(mounted);
        using var gamma = server.CreateClient(KeyC);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(gamma));

        SwapLikeKubernetes("settings.json", SettingsJson(Projects(("alpha", TesseraTestServer.KeyA), ("gamma", KeyC))));

        await Eventually.HoldsAsync(async () => await StatusAsync(gamma) == HttpStatusCode.OK, "gamma's new key is accepted", ReloadBound);
    }

    [Fact]
    public async Task A_reload_that_removes_every_key_is_refused_and_logged_and_the_last_keys_stay()
    {
        WriteSettings(Projects(("alpha", TesseraTestServer.KeyA)));
        await using var server = await StartWithSettingsFileAsync();
        using var alpha = server.CreateClient(TesseraTestServer.KeyA);
        using var anyone = server.CreateClient("sk-any-token-at-all-00000");

        WriteSettings(new { });

        await Eventually.HoldsAsync(
            () => Task.FromResult(_logs.Entries.Any(e => e.Level == LogLevel.Error && e.Message.Contains("does not fall back to open mode"))),
            "the refused reload is logged", ReloadBound);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(alpha));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(anyone));
    }

    [Fact]
    public async Task A_reload_with_a_misspelled_setting_is_refused_and_logged_and_the_last_settings_stay()
    {
        WriteSettings(Projects(("alpha", TesseraTestServer.KeyA)));
        await using var server = await StartWithSettingsFileAsync();
        using var alpha = server.CreateClient(TesseraTestServer.KeyA);
        using var gamma = server.CreateClient(KeyC);

        WriteSettings(new { Tessera = new { Projects = Projects(("alpha", TesseraTestServer.KeyA), ("gamma", KeyC)), Limts = new { MaxPartBytes = 1024 } } });

        await Eventually.HoldsAsync(
            () => Task.FromResult(_logs.Entries.Any(e => e.Level == LogLevel.Error
                && e.Message.Contains("Tessera:Limts is not a setting Tessera knows; did you mean Tessera:Limits?"))),
            "the refused reload is logged", ReloadBound);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(gamma));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(alpha));
    }

    [Fact]
    public async Task A_settings_file_caught_not_valid_JSON_keeps_its_last_settings_and_says_so_in_the_log()
    {
        WriteSettings(Projects(("alpha", TesseraTestServer.KeyA), ("gamma", KeyC)));
        await using var server = await StartWithSettingsFileAsync();
        using var gamma = server.CreateClient(KeyC);

        Replace(SettingsPath, """{"Tessera": {"Projects": [""");

        await Eventually.HoldsAsync(
            () => Task.FromResult(_logs.Entries.Any(e => e.Level == LogLevel.Error && e.Message.Contains("settings.json is not valid JSON"))),
            "the unreadable settings file is logged", ReloadBound);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gamma));
        Assert.DoesNotContain(_logs.Entries, e => e.Message.Contains("does not fall back to open mode"));
    }

    [Fact]
    public async Task Rate_limits_changed_in_the_settings_file_take_effect_without_a_restart_and_invalid_ones_are_refused()
    {
        WriteSettings(Projects(("alpha", TesseraTestServer.KeyA)), requestsPerSecond: 1000);
        await using var server = await StartWithSettingsFileAsync();
        using var alpha = server.CreateClient(TesseraTestServer.KeyA);
        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, await BurstAsync(alpha));

        WriteSettings(Projects(("alpha", TesseraTestServer.KeyA)), requestsPerSecond: 2);
        await Eventually.HoldsAsync(async () => (await BurstAsync(alpha)).Contains(HttpStatusCode.TooManyRequests), "the lower limit refuses a burst", ReloadBound);

        WriteSettings(Projects(("alpha", TesseraTestServer.KeyA)), requestsPerSecond: 0);
        await Eventually.HoldsAsync(
            () => Task.FromResult(_logs.Entries.Any(e => e.Level == LogLevel.Error && e.Message.Contains("Tessera:RateLimits:RequestsPerSecond"))),
            "the invalid limit is logged", ReloadBound);
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.Contains(HttpStatusCode.TooManyRequests, await BurstAsync(alpha));
    }

    [Fact]
    public async Task Quotas_changed_in_the_settings_file_take_effect_without_a_restart_and_invalid_ones_are_refused()
    {
        WriteSettings(QuotaSettings(pendingUploads: 5));
        await using var server = await StartWithSettingsFileAsync();
        using var alpha = server.CreateClient(TesseraTestServer.KeyA);
        Assert.Equal(5, await PendingUploadsQuotaAsync(alpha));

        WriteSettings(QuotaSettings(pendingUploads: 1));
        await Eventually.HoldsAsync(async () => await PendingUploadsQuotaAsync(alpha) == 1, "the lower quota is in force", ReloadBound);
        await alpha.CreateUploadAsync(10);
        using (var refused = await alpha.PostAsJsonAsync("uploads", new { bytes = 10, filename = "b.bin", purpose = "assistants", mime_type = "application/octet-stream" }, TestContext.Current.CancellationToken))
        {
            await refused.ShouldFailAsync(HttpStatusCode.InsufficientStorage, null, "quota_exceeded");
        }

        WriteSettings(QuotaSettings(pendingUploads: -1));
        await Eventually.HoldsAsync(
            () => Task.FromResult(_logs.Entries.Any(e => e.Level == LogLevel.Error && e.Message.Contains("Tessera:Quotas:PendingUploads"))),
            "the invalid quota is logged", ReloadBound);
        Assert.Equal(1, await PendingUploadsQuotaAsync(alpha));
    }

    [Fact]
    public async Task Keys_in_a_key_file_take_effect_as_the_file_changes_and_comments_and_blank_lines_are_ignored()
    {
        var keyFile = Path.Combine(_folder.FullName, "alpha.keys");
        File.WriteAllText(keyFile, $"# alpha's keys\n\n  {FileKey1}  \n");
        await using var server = await StartWithKeyFileAsync(keyFile);
        using var first = server.CreateClient(FileKey1);
        using var second = server.CreateClient(FileKey2);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(first));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(second));

        File.WriteAllText(keyFile, $"# rotated\n{FileKey2}\n");

        await Eventually.HoldsAsync(async () => await StatusAsync(second) == HttpStatusCode.OK, "the rotated key is accepted", ReloadBound);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(first));
    }

    [Fact]
    public async Task A_key_file_swapped_by_symlink_as_Kubernetes_does_is_reloaded()
    {
        var mounted = MountLikeKubernetes("alpha.keys", FileKey1);
        await using var server = await StartWithKeyFileAsync(mounted);
        using var second = server.CreateClient(FileKey2);

        SwapLikeKubernetes("alpha.keys", FileKey2);

        await Eventually.HoldsAsync(async () => await StatusAsync(second) == HttpStatusCode.OK, "the swapped key is accepted", ReloadBound);
    }

    [Fact]
    public async Task A_key_file_holding_a_key_too_short_is_refused_once_in_the_log_and_the_last_keys_stay()
    {
        var keyFile = Path.Combine(_folder.FullName, "alpha.keys");
        File.WriteAllText(keyFile, FileKey1);
        await using var server = await StartWithKeyFileAsync(keyFile);
        using var client = server.CreateClient(FileKey1);

        File.WriteAllText(keyFile, "short\n");

        await Eventually.HoldsAsync(() => Task.FromResult(Refusals().Count == 1), "the short key is refused in the log", ReloadBound);
        // A few more polls of the same file add no line.
        await Task.Delay(3 * KeyFilePoll, TestContext.Current.CancellationToken);
        Assert.Single(Refusals());
        Assert.Contains("Tessera:Projects:0:KeyFiles:0", Refusals()[0].Message);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client));

        List<LogCapture.Entry> Refusals() =>
            [.. _logs.Entries.Where(e => e.Level == LogLevel.Error && e.Message.Contains("shorter than 8 characters"))];
    }

    [Fact]
    public async Task A_key_file_that_disappears_keeps_its_last_keys_and_says_so_in_the_log()
    {
        var keyFile = Path.Combine(_folder.FullName, "alpha.keys");
        File.WriteAllText(keyFile, FileKey1);
        await using var server = await StartWithKeyFileAsync(keyFile);
        using var client = server.CreateClient(FileKey1);

        File.Delete(keyFile);

        await Eventually.HoldsAsync(
            () => Task.FromResult(_logs.Entries.Any(e => e.Level == LogLevel.Warning && e.Message.Contains(keyFile) && e.Message.Contains("last 1 keys"))),
            "the missing key file is logged", ReloadBound);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client));
    }

    [Fact]
    public void A_key_file_that_cannot_be_read_at_start_up_stops_the_server_with_exit_code_2_naming_it()
    {
        var missing = Path.Combine(_folder.FullName, "missing.keys");

        var failure = Assert.Throws<StartupException>(() => TesseraApp.Build([
            "--urls=http://127.0.0.1:0", $"--Tessera:DataPath={Path.Combine(_folder.FullName, "data")}",
            "--Tessera:Projects:0:Name=alpha", $"--Tessera:Projects:0:KeyFiles:0={missing}"]));

        Assert.Equal(2, failure.ExitCode);
        Assert.DoesNotContain('\n', failure.Message);
        Assert.Contains($"Tessera:Projects:0:KeyFiles:0: the key file {missing} cannot be read", failure.Message);
    }

    [Fact]
    public void A_settings_file_that_does_not_exist_stops_the_server_with_exit_code_2_naming_it()
    {
        var failure = Assert.Throws<StartupException>(() => TesseraApp.Build([
            "--urls=http://127.0.0.1:0", $"--Tessera:DataPath={Path.Combine(_folder.FullName, "data")}", $"--Tessera:SettingsFile={SettingsPath}"]));

        Assert.Equal(2, failure.ExitCode);
        Assert.Equal($"Tessera:SettingsFile: the settings file {SettingsPath} does not exist.", failure.Message);
    }

    public void Dispose()
    {
        try
        {
            _folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not a test failure.
        }
    }

    /// <summary>
    /// The tests poll with a key until a reload accepts or refuses it, failing authentication many times a second:
    /// more than the default limit of failed authentications per address, which is not what they test.
    /// </summary>
    private const string ManyFailedAuthentications = "1000";

    private Task<TesseraTestServer> StartWithSettingsFileAsync(string? path = null) =>
        TesseraTestServer.StartAsync(openMode: true, settings: new Dictionary<string, string>
        {
            ["Tessera:SettingsFile"] = path ?? SettingsPath,
            ["Tessera:RateLimits:FailedAuthPerAddress:Limit"] = ManyFailedAuthentications,
        }, configureServices: _logs.AddTo);

    private Task<TesseraTestServer> StartWithKeyFileAsync(string keyFile) =>
        TesseraTestServer.StartAsync(openMode: true, settings: new Dictionary<string, string>
        {
            ["Tessera:Projects:0:Name"] = "alpha",
            ["Tessera:Projects:0:KeyFiles:0"] = keyFile,
            ["Tessera:RateLimits:FailedAuthPerAddress:Limit"] = ManyFailedAuthentications,
        }, configureServices: _logs.AddTo);

    private static object[] Projects(params (string Name, string Key)[] projects) =>
        [.. projects.Select(project => new { project.Name, Keys = new[] { project.Key } })];

    private static string SettingsJson(object[] projects, int? requestsPerSecond = null) =>
        JsonSerializer.Serialize(new { Tessera = new { Projects = projects, RateLimits = new { RequestsPerSecond = requestsPerSecond } } });

    private static object QuotaSettings(long pendingUploads) =>
        new { Tessera = new { Projects = Projects(("alpha", TesseraTestServer.KeyA)), Quotas = new { PendingUploads = pendingUploads } } };

    private static async Task<long> PendingUploadsQuotaAsync(HttpClient client)
    {
        var usage = await (await client.GetAsync("project/usage", TestContext.Current.CancellationToken)).ShouldSucceedAsync();
        return usage.GetProperty("limits").GetProperty("pending_uploads").GetInt64();
    }

    /// <summary>Replaces the settings file whole, as an operator's tools do (a file caught half written is read again at the next poll).</summary>
    private void WriteSettings(object[] projects, int? requestsPerSecond = null) => Replace(SettingsPath, SettingsJson(projects, requestsPerSecond));

    private void WriteSettings(object settings) => Replace(SettingsPath, JsonSerializer.Serialize(settings));

    private static void Replace(string path, string text)
    {
        var written = path + ".new";
        File.WriteAllText(written, text);
        File.Move(written, path, overwrite: true);
    }

    /// <summary>A mounted secret or config map: <c>name</c> links to <c>..data/name</c>, and <c>..data</c> to a folder of this version.</summary>
    private string MountLikeKubernetes(string name, string content)
    {
        var version = Directory.CreateDirectory(Path.Combine(_folder.FullName, "..v1"));
        File.WriteAllText(Path.Combine(version.FullName, name), content);
        File.CreateSymbolicLink(Path.Combine(_folder.FullName, "..data"), version.Name);
        var mounted = Path.Combine(_folder.FullName, name);
        File.CreateSymbolicLink(mounted, Path.Combine("..data", name));
        return mounted;
    }

    /// <summary>The next version, as the kubelet writes it: a new folder, a new link to it, renamed over <c>..data</c>.</summary>
    private void SwapLikeKubernetes(string name, string content)
    {
        var version = Directory.CreateDirectory(Path.Combine(_folder.FullName, "..v2"));
        File.WriteAllText(Path.Combine(version.FullName, name), content);
        var link = Path.Combine(_folder.FullName, "..data_tmp");
        File.CreateSymbolicLink(link, version.Name);
        // rename(2) itself: File.Move follows the link and finds no file.
        Assert.Equal(0, Rename(link, Path.Combine(_folder.FullName, "..data")));
        Directory.Delete(Path.Combine(_folder.FullName, "..v1"), recursive: true);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename(string oldPath, string newPath);

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client)
    {
        using var response = await client.GetAsync("files", TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode[]> BurstAsync(HttpClient client)
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.GetAsync("files", TestContext.Current.CancellationToken)));
        var statuses = answers.Select(answer => answer.StatusCode).ToArray();
        foreach (var answer in answers)
        {
            answer.Dispose();
        }

        return statuses;
    }
}
