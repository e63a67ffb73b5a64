using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Server.Hosting;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// Open mode (no keys) stays on loopback however an address is configured (docs/api.md section 5): <c>urls</c>,
/// <c>Kestrel:Endpoints</c> on the command line, in the environment or in a settings file, and what Kestrel really
/// bound. A refused start-up exits with 2 and one line naming the address and Tessera:AllowOpenModeOnNetwork.
/// </summary>
public sealed class OpenModeExposureTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>The settings file is polled every 4 s; a busy machine may be slower.</summary>
    private static readonly TimeSpan ReloadBound = TimeSpan.FromSeconds(30);

    private readonly string _root = Directory.CreateTempSubdirectory("tessera-exposure-").FullName;

    private string DataPath => Path.Combine(_root, "data");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Open_mode_with_a_Kestrel_endpoint_beyond_loopback_on_the_command_line_exits_with_2_naming_the_address_and_the_setting()
    {
        var address = $"http://0.0.0.0:{FreePort()}";
        await using var server = ServerProcess.Start([$"--Kestrel:Endpoints:Api:Url={address}", $"--Tessera:DataPath={DataPath}"]);

        Assert.Equal(2, await server.WaitForExitAsync(Deadline));
        ShouldRefuseOnOneLine(server, address, "Tessera:AllowOpenModeOnNetwork");
        Assert.False(Directory.Exists(DataPath), "the data folder was created by a server that should not have started");
    }

    [Fact]
    public async Task Open_mode_with_a_Kestrel_endpoint_beyond_loopback_in_the_environment_exits_with_2_naming_the_address_and_the_setting()
    {
        var address = $"http://0.0.0.0:{FreePort()}";
        await using var server = ServerProcess.Start(
            [$"--Tessera:DataPath={DataPath}"], environment: new Dictionary<string, string> { ["Kestrel__Endpoints__Api__Url"] = address });

        Assert.Equal(2, await server.WaitForExitAsync(Deadline));
        ShouldRefuseOnOneLine(server, address, "Tessera:AllowOpenModeOnNetwork");
        Assert.False(Directory.Exists(DataPath), "the data folder was created by a server that should not have started");
    }

    [Theory]
    [InlineData("*")]
    [InlineData(null)]
    public async Task Open_mode_allowed_on_the_network_without_a_list_of_allowed_hosts_exits_with_2_naming_both_settings(string? allowedHosts)
    {
        List<string> args = ["--urls=http://0.0.0.0:0", $"--Tessera:DataPath={DataPath}", "--Tessera:AllowOpenModeOnNetwork=true"];
        if (allowedHosts is not null)
        {
            args.Add($"--AllowedHosts={allowedHosts}");
        }

        await using var server = ServerProcess.Start(args);

        Assert.Equal(2, await server.WaitForExitAsync(Deadline));
        ShouldRefuseOnOneLine(server, "Tessera:AllowOpenModeOnNetwork=true", "AllowedHosts");
        Assert.False(Directory.Exists(DataPath));
    }

    [Fact]
    public async Task Open_mode_allowed_on_the_network_with_allowed_hosts_starts_and_logs_the_addresses_really_bound()
    {
        await using var server = ServerProcess.Start(
            ["--urls=http://0.0.0.0:0", $"--Tessera:DataPath={DataPath}", "--Tessera:AllowOpenModeOnNetwork=true", "--AllowedHosts=tessera.test"]);
        await server.WaitUntilListeningAsync();

        await Eventually.HoldsAsync(() => server.Output.Any(line => line.Contains("OPEN MODE on http://0.0.0.0:", StringComparison.Ordinal)
            && !line.Contains("0.0.0.0:0 ", StringComparison.Ordinal)), "the open-mode warning names the port really bound");
    }

    [Fact]
    public async Task A_Kestrel_endpoint_added_to_the_settings_file_of_a_running_open_mode_server_is_not_bound_and_the_log_says_a_restart_is_needed()
    {
        var settings = Path.Combine(_root, "settings.json");
        await File.WriteAllTextAsync(settings, "{}", Token);
        await using var server = ServerProcess.Start(["--urls=http://127.0.0.1:0", $"--Tessera:DataPath={DataPath}", $"--Tessera:SettingsFile={settings}"]);
        var address = await server.WaitUntilListeningAsync();
        var port = FreePort();

        Replace(settings, $$$"""{"Kestrel": {"Endpoints": {"Api": {"Url": "http://0.0.0.0:{{{port}}}"} } } }""");

        await Eventually.HoldsAsync(
            async () => server.Output.Any(line => line.Contains("takes effect after a restart", StringComparison.Ordinal)) || await AcceptsConnectionsAsync(port),
            "the reload is logged as needing a restart (or the new address is bound)", ReloadBound);
        // Kestrel would rebind on the same reload; give it the time a rebind takes before looking.
        await Task.Delay(TimeSpan.FromSeconds(2), Token);
        Assert.False(await AcceptsConnectionsAsync(port), $"the running open-mode server listens on 0.0.0.0:{port}");
        Assert.Contains(server.Output, line => line.Contains("takes effect after a restart", StringComparison.Ordinal)
            && line.Contains($"Still listening on {address.ToString().TrimEnd('/')}", StringComparison.Ordinal));
        using var client = new HttpClient { BaseAddress = address };
        using var live = await client.GetAsync("livez", Token);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task An_address_beyond_loopback_bound_by_any_other_means_stops_an_open_mode_server_before_its_database_is_opened()
    {
        var app = TesseraApp.Build(
            ["--urls=http://127.0.0.1:0", $"--Tessera:DataPath={DataPath}"],
            services => services.Configure<KestrelServerOptions>(kestrel => kestrel.ListenAnyIP(0)));
        await using (app)
        {
            var refused = await Assert.ThrowsAsync<StartupException>(() => app.StartAsync(Token));
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("Tessera:AllowOpenModeOnNetwork", refused.Message);
            Assert.Contains("[::]:", refused.Message);
        }

        Assert.False(File.Exists(Path.Combine(DataPath, "tessera.db")), "the database was opened by a server that should not have started");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not a test failure.
        }
    }

    /// <summary>Exactly one line on standard error, naming both, and no stack trace.</summary>
    private static void ShouldRefuseOnOneLine(ServerProcess server, string first, string second)
    {
        var line = Assert.Single(server.Errors);
        Assert.StartsWith("Tessera cannot start: ", line);
        Assert.Contains(first, line);
        Assert.Contains(second, line);
        Assert.DoesNotContain(server.Output, output => output.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    private static async Task<bool> AcceptsConnectionsAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port, Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Replaces the file whole, as an operator's tools do.</summary>
    private static void Replace(string path, string text)
    {
        var written = path + ".new";
        File.WriteAllText(written, text);
        File.Move(written, path, overwrite: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
