using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tessera.Server.Hosting;
using Tessera.Storage;
using Tessera.Testing.Engines;

namespace Tessera.Testing;

/// <summary>
/// A real Tessera: Kestrel on a loopback port and real stores (by default SQLite and a data folder of its own; see
/// <see cref="StorageVariable"/>). Only the API's clock is a fake, so tests can move time past an expiry. Shared by
/// the server's and the client's test projects. Tests look at what is stored through the store contracts
/// (<see cref="StoredBlobKeysAsync"/>, <see cref="Metadata"/>), so they hold whichever backends run.
/// </summary>
public sealed class TesseraTestServer : IAsyncDisposable
{
    public const string ProjectA = "alpha";
    public const string KeyA = "sk-alpha-test-key-000000000001";
    public const string ProjectB = "beta";
    public const string KeyB = "sk-beta-test-key-0000000000002";

    /// <summary>
    /// The environment variable that picks the stores the suite runs on: <c>sqlite-folder</c> (the default, the
    /// embedded stores in a temporary data folder) or <c>postgres-s3</c>.
    /// </summary>
    public const string StorageVariable = "TESSERA_TEST_STORAGE";

    public const string SqliteFolderStorage = "sqlite-folder";

    /// <summary>PostgreSQL and s3rver, started once per test process, with a database and a bucket per server.</summary>
    public const string PostgresS3Storage = "postgres-s3";

    private static readonly ConcurrentDictionary<string, Task<IReadOnlyDictionary<string, string>>> SharedStores = new(StringComparer.Ordinal);

    private readonly WebApplication _app;
    private readonly bool _ownsDataPath;

    private TesseraTestServer(WebApplication app, string dataPath, FakeTimeProvider clock, bool ownsDataPath)
    {
        _app = app;
        DataPath = dataPath;
        Clock = clock;
        _ownsDataPath = ownsDataPath;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Root = new Uri(address.TrimEnd('/') + "/");
        BaseAddress = new Uri(Root, "v1/");
    }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Root { get; }

    /// <summary>What clients configure: the root plus <c>v1/</c>.</summary>
    public Uri BaseAddress { get; }

    public string DataPath { get; }

    public FakeTimeProvider Clock { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>The stores this run uses, from <see cref="StorageVariable"/>.</summary>
    public static string Storage =>
        Environment.GetEnvironmentVariable(StorageVariable) is { Length: > 0 } storage ? storage : SqliteFolderStorage;

    /// <summary>The server's metadata store, as its handlers see it.</summary>
    public IMetadataStore Metadata => _app.Services.GetRequiredService<IMetadataStore>();

    /// <summary>The server's blob store, as its handlers see it.</summary>
    public IBlobStore Blobs => _app.Services.GetRequiredService<IBlobStore>();

    /// <summary>
    /// Starts a server. Keyed mode (projects alpha and beta) unless <paramref name="openMode"/>.
    /// <paramref name="configureServices"/> runs after Tessera's own registrations, so it can wrap them.
    /// </summary>
    public static async Task<TesseraTestServer> StartAsync(
        bool openMode = false, IReadOnlyDictionary<string, string>? settings = null, string? dataPath = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var ownsDataPath = dataPath is null;
        dataPath ??= Directory.CreateTempSubdirectory("tessera-test-").FullName;
        var all = new Dictionary<string, string>(await StorageSettingsAsync(dataPath))
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Tessera"] = "Warning",
        };
        if (!openMode)
        {
            all["Tessera:Projects:0:Name"] = ProjectA;
            all["Tessera:Projects:0:Keys:0"] = KeyA;
            all["Tessera:Projects:1:Name"] = ProjectB;
            all["Tessera:Projects:1:Keys:0"] = KeyB;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var app = TesseraApp.Build(
            [.. all.Select(kv => $"--{kv.Key}={kv.Value}")],
            services =>
            {
                services.AddSingleton(new UploadClock(clock));
                configureServices?.Invoke(services);
            });
        await app.StartAsync();
        return new TesseraTestServer(app, dataPath, clock, ownsDataPath);
    }

    /// <summary>A client that sends <paramref name="key"/> as its bearer token (none when null).</summary>
    public HttpClient CreateClient(string? key = KeyA)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>
    /// The settings that put the server on the stores of <see cref="Storage"/>, keeping its files in
    /// <paramref name="dataPath"/>. A server started again on the same data path gets the same database and bucket,
    /// as a restarted node would.
    /// </summary>
    public static Task<IReadOnlyDictionary<string, string>> StorageSettingsAsync(string dataPath) => Storage switch
    {
        SqliteFolderStorage => Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>
        {
            ["Tessera:DataPath"] = dataPath,
            ["Tessera:Metadata:Provider"] = "Sqlite",
            ["Tessera:Blobs:Provider"] = "Folder",
        }),
        PostgresS3Storage => SharedStores.GetOrAdd(dataPath, PostgresS3SettingsAsync),
        var other => throw new InvalidOperationException(
            $"{StorageVariable}={other} names no stores the tests know; use {SqliteFolderStorage} or {PostgresS3Storage}."),
    };

    /// <summary>A fresh database on the test process's PostgreSQL and a fresh bucket on its S3 server.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> PostgresS3SettingsAsync(string dataPath)
    {
        var postgres = await PostgresEngine.GetSharedAsync();
        var s3 = await S3Engine.SharedAsync();
        var bucket = await s3.CreateBucketAsync(CancellationToken.None);
        return new Dictionary<string, string>(s3.SettingsFor(bucket))
        {
            ["Tessera:DataPath"] = dataPath,
            ["Tessera:Metadata:Provider"] = "Postgres",
            ["Tessera:Metadata:ConnectionString"] = await postgres.CreateDatabaseAsync(CancellationToken.None),
        };
    }

    /// <summary>The keys of the finished blobs in the blob store.</summary>
    public async Task<IReadOnlyList<string>> StoredBlobKeysAsync(CancellationToken cancellationToken = default)
    {
        var keys = new List<string>();
        await foreach (var blob in Blobs.ListAsync(cancellationToken))
        {
            keys.Add(blob.Key);
        }

        return keys;
    }

    /// <summary>
    /// The folder store's unfinished writes on disk: small ones in their shard beside the finished blobs, larger ones
    /// under tmp/. Always empty for a blob store that is not a folder.
    /// </summary>
    public IReadOnlyList<string> TemporaryFiles() =>
        [.. FilesUnder("blobs").Where(path => path.EndsWith(".tmp", StringComparison.Ordinal)), .. FilesUnder("tmp")];

    /// <summary>
    /// Inverts the byte at <paramref name="offset"/> of the finished blob <paramref name="key"/> on disk, as a failing
    /// disk would. Only the folder store keeps blobs as files (<c>blobs/&lt;shard&gt;/&lt;key&gt;</c>): on any other,
    /// throws <see cref="InvalidOperationException"/>.
    /// </summary>
    public void FlipStoredByte(string key, long offset)
    {
        if (Storage != SqliteFolderStorage)
        {
            throw new InvalidOperationException($"Only the folder store ({SqliteFolderStorage}) keeps blobs as files; this run uses {Storage}.");
        }

        FlipByteInFolderStore(DataPath, key, offset);
    }

    /// <summary>
    /// Inverts the byte at <paramref name="offset"/> of blob <paramref name="key"/> in the folder store kept in
    /// <paramref name="dataPath"/> (<c>blobs/&lt;last two characters of the key&gt;/&lt;key&gt;</c>), its length unchanged,
    /// for a server this class did not start or one started on the folder store whatever the run's storage.
    /// </summary>
    public static void FlipByteInFolderStore(string dataPath, string key, long offset)
    {
        using var blob = File.Open(Path.Combine(dataPath, "blobs", key[^2..], key), FileMode.Open, FileAccess.ReadWrite);
        blob.Position = offset;
        var original = blob.ReadByte();
        blob.Position = offset;
        blob.WriteByte((byte)(original ^ 0xFF));
    }

    private string[] FilesUnder(string folder) =>
        Directory.Exists(Path.Combine(DataPath, folder))
            ? Directory.GetFiles(Path.Combine(DataPath, folder), "*", SearchOption.AllDirectories)
            : [];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDataPath)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(DataPath, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is not a test failure.
            }
        }
    }
}
