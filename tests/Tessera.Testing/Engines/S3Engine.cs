using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Tessera.Storage.S3;

namespace Tessera.Testing.Engines;

/// <summary>
/// A real S3-compatible server for tests: s3rver (npm) on a loopback port with a data folder of its own, started by
/// tests/s3-server/server.js, which also logs every request so tests can count them by kind. Tests share one engine
/// per test process (<see cref="SharedAsync"/>) and take a fresh bucket each; a test that stops the engine to see a
/// fault starts its own (<see cref="StartNewAsync"/>).
/// </summary>
public sealed class S3Engine : IAsyncDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    public const string Region = "us-east-1";

    private static readonly Lazy<Task<S3Engine>> Shared = new(StartSharedAsync);
    private static int _bucketCount;

    private readonly string _serverFolder;
    private readonly ConcurrentQueue<S3Request> _requests = new();
    private readonly HttpClient _http;
    private Process? _process;

    private S3Engine(string serverFolder, int port, string dataPath)
    {
        _serverFolder = serverFolder;
        Port = port;
        DataPath = dataPath;
        ServiceUrl = new Uri($"http://127.0.0.1:{port}/");
        _http = new HttpClient { BaseAddress = ServiceUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    public Uri ServiceUrl { get; }

    /// <summary>The folder s3rver keeps its buckets in.</summary>
    public string DataPath { get; }

    /// <summary>Every request received so far, in order.</summary>
    public IReadOnlyList<S3Request> Requests => [.. _requests];

    /// <summary>The engine shared by the tests of this process, started on first use. Tests must not stop it.</summary>
    public static Task<S3Engine> SharedAsync() => Shared.Value;

    /// <summary>Starts an engine of the caller's own, to stop and start again; dispose it at the end.</summary>
    public static async Task<S3Engine> StartNewAsync(CancellationToken cancellationToken)
    {
        // The SDK's credential and region chains may ask the EC2 instance metadata service, which on a machine outside
        // EC2 costs a timeout; clients of this engine are given region and keys, and must never need it.
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        var serverFolder = FindServerFolder();
        var engine = new S3Engine(serverFolder, FreePort(), Directory.CreateTempSubdirectory("tessera-s3-").FullName);
        try
        {
            await engine.StartAsync(cancellationToken);
        }
        catch
        {
            await engine.DisposeAsync();
            throw;
        }

        return engine;
    }

    private static async Task<S3Engine> StartSharedAsync()
    {
        var engine = await StartNewAsync(CancellationToken.None);

        // No test owns it, so it goes with the process (its server would also stop when the pipe to it closes).
        AppDomain.CurrentDomain.ProcessExit += (_, _) => engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return engine;
    }

    /// <summary>Creates a bucket no other test uses and returns its name.</summary>
    public async Task<string> CreateBucketAsync(CancellationToken cancellationToken)
    {
        var name = $"t{Interlocked.Increment(ref _bucketCount)}-{Guid.NewGuid():N}"[..24];
        using var response = await _http.PutAsync(name, content: null, cancellationToken);
        response.EnsureSuccessStatusCode();
        return name;
    }

    /// <summary>Options for Tessera's S3 blob store on <paramref name="bucket"/> of this engine.</summary>
    public S3BlobOptions OptionsFor(string bucket, string prefix = "") => new()
    {
        ServiceUrl = ServiceUrl.ToString(),
        Region = Region,
        Bucket = bucket,
        Prefix = prefix,
        ForcePathStyle = true,
        AccessKey = AccessKey,
        SecretKey = SecretKey,
    };

    /// <summary>The same as server settings (<c>Tessera:Blobs:*</c>), for a <see cref="TesseraTestServer"/>.</summary>
    public IReadOnlyDictionary<string, string> SettingsFor(string bucket, string prefix = "") => new Dictionary<string, string>
    {
        ["Tessera:Blobs:Provider"] = "S3",
        ["Tessera:Blobs:S3:ServiceUrl"] = ServiceUrl.ToString(),
        ["Tessera:Blobs:S3:Region"] = Region,
        ["Tessera:Blobs:S3:Bucket"] = bucket,
        ["Tessera:Blobs:S3:Prefix"] = prefix,
        ["Tessera:Blobs:S3:ForcePathStyle"] = "true",
        ["Tessera:Blobs:S3:AccessKey"] = AccessKey,
        ["Tessera:Blobs:S3:SecretKey"] = SecretKey,
    };

    /// <summary>
    /// Damages bodies on their way into <paramref name="bucket"/>, as a faulty network would: of the PutObject and
    /// UploadPart requests that come next, the first <paramref name="skip"/> arrive whole and the <paramref name="count"/>
    /// after them with their first byte changed.
    /// </summary>
    public async Task DamageBodiesAsync(string bucket, int skip, int count, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync(
            string.Create(CultureInfo.InvariantCulture, $"_damage/{bucket}?skip={skip}&count={count}"), content: null, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>How many requests of <paramref name="kind"/> <paramref name="bucket"/> received so far.</summary>
    public int CountRequests(string bucket, S3RequestKind kind) => _requests.Count(r => r.Bucket == bucket && r.Kind == kind);

    /// <summary>Starts the server (again) on the same port and data folder; ends once it accepts connections.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_process is { HasExited: false })
        {
            return;
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = _serverFolder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "server.js", "--port", Port.ToString(CultureInfo.InvariantCulture), "--directory", DataPath, "--exit-with-stdin" })
        {
            start.ArgumentList.Add(argument);
        }

        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ConcurrentQueue<string>();
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            if (S3Request.Parse(e.Data) is { } request)
            {
                _requests.Enqueue(request);
            }
            else if (e.Data.StartsWith("listening ", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                errors.Enqueue(e.Data);
            }
        };
        process.Exited += (_, _) => listening.TrySetException(
            new InvalidOperationException($"s3rver exited before it listened on port {Port}: {string.Join(Environment.NewLine, errors)}"));

        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            throw new InvalidOperationException("The S3 engine needs Node.js (`node` on the PATH); run scripts/test.sh, which installs it.", exception);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await listening.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    /// <summary>Stops the server (a hard kill, as a crash would); its port then refuses connections.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync(cancellationToken);
        process.Dispose();
    }

    /// <summary>
    /// Freezes the server (SIGSTOP): connections are still accepted by the kernel, but nothing answers, as with a
    /// store that hangs. <see cref="ResumeAsync"/> thaws it.
    /// </summary>
    public Task PauseAsync(CancellationToken cancellationToken) => SignalAsync("-STOP", cancellationToken);

    public Task ResumeAsync(CancellationToken cancellationToken) => SignalAsync("-CONT", cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _http.Dispose();
        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind is no reason to fail a test.
        }
    }

    private async Task SignalAsync(string signal, CancellationToken cancellationToken)
    {
        var process = _process ?? throw new InvalidOperationException("The S3 engine is not running.");
        using var kill = Process.Start("kill", [signal, process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(cancellationToken);
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill {signal} {process.Id} failed with exit code {kill.ExitCode}.");
        }
    }

    private static string FindServerFolder()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "tests", "s3-server");
            if (File.Exists(Path.Combine(candidate, "server.js")))
            {
                return File.Exists(Path.Combine(candidate, "node_modules", "s3rver", "package.json"))
                    ? candidate
                    : throw new InvalidOperationException(
                        $"The S3 engine needs s3rver installed in {candidate}; run scripts/test.sh (or `npm ci` in that folder).");
            }
        }

        throw new InvalidOperationException($"tests/s3-server was not found above {AppContext.BaseDirectory}; run the tests from the repository.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
