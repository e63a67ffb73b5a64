using System.Diagnostics;
using System.Net.Http.Headers;

namespace Tessera.LoadBench;

/// <summary>A Tessera server in a process of its own, on a temporary data folder, in keyed mode with one project.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    public const string Key = "sk-loadbench-key-000000000001";

    private readonly Process _process;
    private readonly string _dataPath;

    private ServerProcess(Process process, string dataPath, Uri baseAddress)
    {
        _process = process;
        _dataPath = dataPath;
        BaseAddress = baseAddress;
    }

    /// <summary>What clients configure: the root plus <c>v1/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The server's process id, for reading its CPU time.</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts <paramref name="serverDll"/> with any <paramref name="settings"/> and <paramref name="environment"/> added,
    /// and waits until <c>/healthz</c> answers; throws when it does not within 60 s.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(
        string serverDll, int port, CancellationToken cancellationToken,
        IReadOnlyList<string>? settings = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dataPath = Directory.CreateTempSubdirectory("tessera-loadbench-").FullName;
        var root = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            serverDll, "--urls", root.ToString(), $"--Tessera:DataPath={dataPath}",
            "--Tessera:Projects:0:Name=loadbench", $"--Tessera:Projects:0:Keys:0={Key}",
            // The write path is measured, not the console: access lines (on by default) are turned off too.
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Tessera=Warning",
            "--Logging:LogLevel:Tessera.Server.AccessLog=Warning",
        })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var setting in settings ?? [])
        {
            start.ArgumentList.Add(setting);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the server");
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) Console.Error.WriteLine($"[server] {line.Data}"); };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) Console.Error.WriteLine($"[server] {line.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, dataPath, new Uri(root, "v1/"));

        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                using var health = await probe.GetAsync(new Uri(root, "healthz"), cancellationToken);
                if (health.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Not listening yet, or too busy to answer within the probe's timeout.
            }

            if (process.HasExited)
            {
                break;
            }

            await Task.Delay(100, cancellationToken);
        }

        await server.DisposeAsync();
        throw new InvalidOperationException("the server did not become healthy within 60 s");
    }

    /// <summary>A client for the benchmark's project that keeps as many connections open as it has callers.</summary>
    public HttpClient CreateClient() => new(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
    {
        BaseAddress = BaseAddress,
        Timeout = TimeSpan.FromSeconds(60),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", Key) },
    };

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder does not spoil the figures.
        }
    }
}
