using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Storage;
using Tessera.Testing.Engines;

namespace Tessera.Server.Tests;

/// <summary>
/// What an orchestrator sees: <c>/healthz</c> answers 503 naming the store that cannot be used, for real failures
/// (a database stopped, a data folder turned read-only), and 200 again once it is back by itself; <c>/livez</c>
/// answers 200 all along, since it touches no store.
/// </summary>
public sealed class HealthTests
{
    /// <summary>Generous: a health answer waits at most for its check's deadline (5 s).</summary>
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(30);

    /// <summary>How long <c>/healthz</c> may repeat a probe's outcome (docs/api.md section 2); a little more, for the clock's grain.</summary>
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1.2);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Livez_answers_200_without_a_key_while_every_store_fails_and_healthz_answers_503()
    {
        await using var server = await TesseraTestServer.StartAsync(configureServices: services =>
        {
            services.WrapInFaults<IMetadataStore>();
            services.WrapInFaults<IBlobStore>();
        });
        server.Faults<IMetadataStore>().Fault = _ => new StoreUnavailableException(StoreKind.Metadata, "The database refused the connection.");
        server.Faults<IBlobStore>().Fault = _ => new StoreUnavailableException(StoreKind.Blobs, "The object store refused the connection.");
        using var client = new HttpClient { BaseAddress = server.Root };

        await ShouldBeLiveAsync(client);
        var checks = await ShouldBeUnhealthyAsync(client);
        Assert.Equal("unavailable", checks.GetProperty("metadata").GetProperty("status").GetString());
        Assert.Equal("unavailable", checks.GetProperty("blobs").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_store_that_never_answers_its_check_is_reported_unavailable_within_the_check_deadline()
    {
        var never = new TaskCompletionSource();
        await using var server = await TesseraTestServer.StartAsync(configureServices: services => services.WrapInFaults<IMetadataStore>());
        server.Faults<IMetadataStore>().Substitute = method => method == nameof(IMetadataStore.CheckHealthAsync) ? never.Task : null;
        using var client = new HttpClient { BaseAddress = server.Root };

        var checks = await ShouldBeUnhealthyAsync(client);

        Assert.Equal("unavailable", checks.GetProperty("metadata").GetProperty("status").GetString());
        Assert.Equal("The metadata store did not answer within 5 s.", checks.GetProperty("metadata").GetProperty("error").GetString());
        Assert.Equal("ok", checks.GetProperty("blobs").GetProperty("status").GetString());
    }

    [Fact]
    [Trait(StorageTraits.Name, StorageTraits.Embedded)]
    public async Task With_PostgreSQL_stopped_healthz_answers_503_naming_metadata_and_200_once_it_is_back_while_livez_answers_200_all_along()
    {
        await using var postgres = await PostgresEngine.StartNewAsync(Token);
        var dataPath = Directory.CreateTempSubdirectory("tessera-health-").FullName;
        await using var server = await TesseraTestServer.StartAsync(dataPath: dataPath, settings: await PostgresAndFolderAsync(postgres, dataPath));
        using var client = new HttpClient { BaseAddress = server.Root };
        await ShouldBeHealthyAsync(client);

        await postgres.StopAsync(Token);
        await ShouldBeLiveAsync(client);
        var checks = await ShouldBeUnhealthyAsync(client);
        Assert.Equal("unavailable", checks.GetProperty("metadata").GetProperty("status").GetString());
        Assert.Equal("The metadata store cannot be used; the server's log says why.", checks.GetProperty("metadata").GetProperty("error").GetString());
        Assert.Equal("ok", checks.GetProperty("blobs").GetProperty("status").GetString());
        await ShouldBeLiveAsync(client);

        await postgres.StartAsync(Token);
        await WaitUntilHealthyAsync(client);
        await ShouldBeLiveAsync(client);
    }

    [Fact]
    [Trait(StorageTraits.Name, StorageTraits.Embedded)]
    public async Task With_the_data_folder_remounted_read_only_healthz_answers_503_naming_the_blob_store_and_200_once_it_is_writable_again()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "This test mounts a tmpfs and remounts it read-only, which needs Linux.");
        var mountPoint = Directory.CreateTempSubdirectory("tessera-readonly-").FullName;
        var (mounted, refusal, _) = await RunAsync("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mountPoint);
        if (!mounted)
        {
            Directory.Delete(mountPoint);
            Assert.Skip($"Mounting a tmpfs was refused (it needs root; CI runs as root), so a read-only data folder cannot be made: {refusal}");
        }

        try
        {
            // Metadata on PostgreSQL, so nothing in the data folder stays open for writing (SQLite's database would), which
            // the kernel requires before it remounts a file system read-only.
            var postgres = await PostgresEngine.GetSharedAsync();
            var logs = new LogCapture();
            await using var server = await TesseraTestServer.StartAsync(dataPath: mountPoint, settings: await PostgresAndFolderAsync(postgres, mountPoint), configureServices: logs.AddTo);
            using var client = new HttpClient { BaseAddress = server.Root };
            await ShouldBeHealthyAsync(client);

            var (remounted, why, _) = await RunAsync("mount", "-o", "remount,ro", mountPoint);
            Assert.True(remounted, $"mount -o remount,ro {mountPoint} failed: {why}");
            await ShouldBeLiveAsync(client);
            var checks = await ShouldBeUnhealthyAsync(client);
            Assert.Equal("unavailable", checks.GetProperty("blobs").GetProperty("status").GetString());
            Assert.Equal("The blob store cannot be used; the server's log says why.", checks.GetProperty("blobs").GetProperty("error").GetString());
            Assert.Contains(logs.Entries, entry => entry.Message.StartsWith("The blob store failed its health check", StringComparison.Ordinal) && entry.Message.Contains("Read-only file system"));
            Assert.Equal("ok", checks.GetProperty("metadata").GetProperty("status").GetString());
            await ShouldBeLiveAsync(client);

            (remounted, why, _) = await RunAsync("mount", "-o", "remount,rw", mountPoint);
            Assert.True(remounted, $"mount -o remount,rw {mountPoint} failed: {why}");
            await WaitUntilHealthyAsync(client);
            await ShouldBeLiveAsync(client);
        }
        finally
        {
            await RunAsync("umount", "-l", mountPoint);
            Directory.Delete(mountPoint, recursive: true);
        }
    }

    [Fact]
    [Trait(StorageTraits.Name, StorageTraits.Embedded)]
    public async Task With_the_data_folder_turned_read_only_by_a_disk_error_healthz_answers_503_naming_both_embedded_stores()
    {
        // What a disk error does to ext4 mounted errors=remount-ro: the kernel makes it read-only at once, even with
        // files open for writing (SQLite's database), which a remount by hand refuses. ext4's trigger_fs_error raises
        // such an error on purpose.
        Assert.SkipUnless(OperatingSystem.IsLinux(), "This test mounts an ext4 image on a loop device, which needs Linux.");
        var folder = Directory.CreateTempSubdirectory("tessera-ext4-").FullName;
        var image = Path.Combine(folder, "disk.img");
        var mountPoint = Directory.CreateDirectory(Path.Combine(folder, "data")).FullName;
        await using (var file = File.Create(image))
        {
            file.SetLength(32 << 20);
        }

        var (formatted, formatRefusal, _) = await RunAsync("mkfs.ext4", "-q", "-F", image);
        var (mounted, mountRefusal, _) = formatted ? await RunAsync("mount", "-o", "loop,errors=remount-ro", image, mountPoint) : (false, formatRefusal, "");
        if (!mounted)
        {
            Directory.Delete(folder, recursive: true);
            Assert.Skip($"Making an ext4 file system on a loop device was refused (it needs mkfs.ext4, loop devices and root; CI runs as root): {mountRefusal}");
        }

        try
        {
            var logs = new LogCapture();
            await using var server = await TesseraTestServer.StartAsync(dataPath: mountPoint, settings: new Dictionary<string, string>
            {
                ["Tessera:Metadata:Provider"] = "Sqlite",
                ["Tessera:Blobs:Provider"] = "Folder",
            }, configureServices: logs.AddTo);
            using var client = new HttpClient { BaseAddress = server.Root };
            await ShouldBeHealthyAsync(client);

            var device = Path.GetFileName((await RunAsync("findmnt", "-n", "-o", "SOURCE", mountPoint)).Output);
            await File.WriteAllTextAsync($"/sys/fs/ext4/{device}/trigger_fs_error", "health test", Token);
            await ShouldBeLiveAsync(client);
            // The kernel finishes turning the file system read-only in the background, a moment after the error.
            var checks = await WaitUntilUnhealthyAsync(client, checks =>
                checks.GetProperty("metadata").GetProperty("status").GetString() == "unavailable"
                && checks.GetProperty("blobs").GetProperty("status").GetString() == "unavailable");
            Assert.Equal("unavailable", checks.GetProperty("metadata").GetProperty("status").GetString());
            Assert.Equal("The metadata store cannot be used; the server's log says why.", checks.GetProperty("metadata").GetProperty("error").GetString());
            Assert.Equal("unavailable", checks.GetProperty("blobs").GetProperty("status").GetString());
            Assert.Equal("The blob store cannot be used; the server's log says why.", checks.GetProperty("blobs").GetProperty("error").GetString());
            Assert.Contains(logs.Entries, entry => entry.Message.StartsWith("The metadata store failed its health check: The metadata database cannot be used", StringComparison.Ordinal));
            Assert.Contains(logs.Entries, entry => entry.Message.StartsWith("The blob store failed its health check", StringComparison.Ordinal) && entry.Message.Contains("Read-only file system"));
            await ShouldBeLiveAsync(client);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            await RunAsync("umount", "-l", mountPoint);
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<IReadOnlyDictionary<string, string>> PostgresAndFolderAsync(PostgresEngine postgres, string dataPath) =>
        new Dictionary<string, string>
        {
            ["Tessera:DataPath"] = dataPath,
            ["Tessera:Metadata:Provider"] = "Postgres",
            ["Tessera:Metadata:ConnectionString"] = await postgres.CreateDatabaseAsync(Token),
            ["Tessera:Blobs:Provider"] = "Folder",
        };

    private static async Task ShouldBeLiveAsync(HttpClient client)
    {
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync("livez", Token);
        Assert.True(clock.Elapsed < AnswerBound, $"/livez took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("status").GetString());
    }

    private static async Task ShouldBeHealthyAsync(HttpClient client)
    {
        using var response = await client.GetAsync("healthz", Token);
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"/healthz answered {(int)response.StatusCode}: {text}");
    }

    /// <summary>
    /// Asks <c>/healthz</c>, expects 503 within the bound, and answers its checks. Waits out the probe interval first:
    /// an answer may repeat the outcome of a probe made up to a second earlier, before the store failed.
    /// </summary>
    private static async Task<JsonElement> ShouldBeUnhealthyAsync(HttpClient client)
    {
        await Task.Delay(ProbeInterval, Token);
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync("healthz", Token);
        Assert.True(clock.Elapsed < AnswerBound, $"/healthz took {clock.Elapsed.TotalSeconds:0.0} s");
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"/healthz answered {(int)response.StatusCode}: {text}");
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal("unavailable", body.GetProperty("status").GetString());
        return body.GetProperty("checks").Clone();
    }

    /// <summary>Asks <c>/healthz</c> until it answers 503 with checks that satisfy <paramref name="expected"/>, and answers them.</summary>
    private static async Task<JsonElement> WaitUntilUnhealthyAsync(HttpClient client, Func<JsonElement, bool> expected)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await client.GetAsync("healthz", Token);
            var text = await response.Content.ReadAsStringAsync(Token);
            var body = JsonDocument.Parse(text).RootElement;
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && expected(body.GetProperty("checks")))
            {
                Assert.Equal("unavailable", body.GetProperty("status").GetString());
                return body.GetProperty("checks").Clone();
            }

            Assert.True(clock.Elapsed < RecoveryBound, $"/healthz still answered {(int)response.StatusCode} {text} {RecoveryBound.TotalSeconds} s after the failure");
            await Task.Delay(200, Token);
        }
    }

    private static async Task WaitUntilHealthyAsync(HttpClient client)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await client.GetAsync("healthz", Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            var text = await response.Content.ReadAsStringAsync(Token);
            Assert.True(clock.Elapsed < RecoveryBound, $"/healthz still answered {(int)response.StatusCode} {RecoveryBound.TotalSeconds} s after the store came back: {text}");
            await Task.Delay(200, Token);
        }
    }

    private static async Task<(bool Succeeded, string Error, string Output)> RunAsync(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Token);
        var error = await process.StandardError.ReadToEndAsync(Token);
        await process.WaitForExitAsync(Token);
        return (process.ExitCode == 0, error.Trim(), (await output).Trim());
    }
}
