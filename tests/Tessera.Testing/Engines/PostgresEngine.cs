using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Tessera.Testing.Engines;

/// <summary>
/// A throwaway PostgreSQL cluster on a loopback port, in a temporary folder, trusting local connections. Tests
/// share one per test process (<see cref="GetSharedAsync"/>), each in a fresh database of its own
/// (<see cref="CreateDatabaseAsync"/>); a test that stops the server starts a private one (<see cref="StartNewAsync"/>).
/// A cluster is stopped and its folder deleted at process exit.
/// </summary>
public sealed class PostgresEngine : IAsyncDisposable
{
    private const string FolderPrefix = "tessera-pg-";
    private const string OwnerFile = "owner.pid";

    private static readonly Lazy<Task<PostgresEngine>> Shared = new(() => StartNewAsync(CancellationToken.None));
    private static int _databases;

    private readonly PostgresInstallation _installation;
    private readonly string _folder;
    private int _stopped;

    private PostgresEngine(PostgresInstallation installation, string folder, int port)
    {
        _installation = installation;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    private string DataDirectory => Path.Combine(_folder, "data");

    /// <summary>Connects as the superuser to the maintenance database, unpooled.</summary>
    private string AdminConnectionString => ConnectionStringFor("postgres", pooling: false);

    /// <summary>The cluster this test process shares, started on first use; not to be stopped or disposed by a test.</summary>
    public static Task<PostgresEngine> GetSharedAsync() => Shared.Value;

    /// <summary>Starts a cluster of one's own, for tests that stop or restart it. Dispose it at the end of the test.</summary>
    /// <exception cref="InvalidOperationException">PostgreSQL is not installed, or the cluster would not start.</exception>
    public static async Task<PostgresEngine> StartNewAsync(CancellationToken cancellationToken)
    {
        var installation = PostgresInstallation.Find();
        await StopAbandonedAsync(installation, cancellationToken);
        var folder = Directory.CreateTempSubdirectory(FolderPrefix).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture), cancellationToken);
        await installation.GiveToPostgresUserAsync(folder, cancellationToken);
        await installation.RunToolAsync("initdb",
            ["-D", Path.Combine(folder, "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync"], cancellationToken);

        // A free port can be taken by someone else between asking and binding: try a few.
        for (var attempt = 1; ; attempt++)
        {
            var engine = new PostgresEngine(installation, folder, FreeLoopbackPort());
            try
            {
                await engine.StartAsync(cancellationToken);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => engine.StopAndDelete();
                return engine;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>Creates an empty database and answers a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"tessera_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}");
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\";", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionStringFor(name, pooling: true);
    }

    /// <summary>Starts the server (again) on the same port and data; returns once it accepts connections.</summary>
    public Task StartAsync(CancellationToken cancellationToken) =>
        _installation.RunToolAsync("pg_ctl",
            [
                "-D", DataDirectory, "-l", Path.Combine(_folder, "log"), "-w", "-t", "30",
                "-o", string.Create(CultureInfo.InvariantCulture,
                    $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"),
                "start",
            ],
            cancellationToken);

    /// <summary>Stops the server as an administrator's fast shutdown does: clients are disconnected, nothing is waited for.</summary>
    public Task StopAsync(CancellationToken cancellationToken) =>
        _installation.RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "stop"], cancellationToken);

    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await StopAsync(cancellationToken);
        await StartAsync(cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        StopAndDelete();
        return ValueTask.CompletedTask;
    }

    private string ConnectionStringFor(string database, bool pooling) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = database,
        Pooling = pooling,
    }.ConnectionString;

    private void StopAndDelete()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        try
        {
            // Synchronous: this also runs from ProcessExit, where nothing asynchronous is awaited.
            _installation.RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (InvalidOperationException)
        {
            // Already stopped (a test left it so) or never started.
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Stops the clusters of test processes that were killed before their exit handler ran: PostgreSQL runs
    /// detached from the process that started it, and would otherwise run until the machine stops.
    /// </summary>
    private static async Task StopAbandonedAsync(PostgresInstallation installation, CancellationToken cancellationToken)
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var owner = Path.Combine(folder, OwnerFile);
            if (!File.Exists(owner)
                || !int.TryParse(await File.ReadAllTextAsync(owner, cancellationToken), CultureInfo.InvariantCulture, out var pid)
                || Directory.Exists($"/proc/{pid}"))
            {
                continue;
            }

            var engine = new PostgresEngine(installation, folder, port: 0);
            engine.StopAndDelete();
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
