using System.Net;
using System.Net.Sockets;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// Start-up run as a real process: a bad setting or an environment that does not allow what the settings ask stops
/// the server before it touches data, with a few lines that name the setting or path, a stack-trace-free output and
/// an exit code that is not a crash (2 for configuration, 3 for environment).
/// </summary>
public sealed class StartupTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly string _root = Directory.CreateTempSubdirectory("tessera-startup-").FullName;

    private string DataPath => Path.Combine(_root, "data");

    [Theory]
    [InlineData("--Tessera:Limits:MaxPartBytes=-1", "Tessera:Limits:MaxPartBytes")]
    [InlineData("--Tessera:Limits:MaxPartBytes=lots", "Tessera:Limits:MaxPartBytes")]
    [InlineData("--Tessera:Projects:0:Keys:0=short", "Tessera:Projects:0:Keys:0")]
    [InlineData("--Tessera:ShutdownGraceSeconds=-5", "Tessera:ShutdownGraceSeconds")]
    [InlineData("--Tessera:Metadata:Provider=Oracle", "Tessera:Metadata:Provider")]
    [InlineData("--Tessera:Blobs:Provider=Tape", "Tessera:Blobs:Provider")]
    [InlineData("--Tessera:Quotas:Bytes=-1", "Tessera:Quotas:Bytes")]
    [InlineData("--Tessera:Projects:0:Quotas:Files=many", "Tessera:Projects:0:Quotas:Files")]
    [InlineData("--Tessera:Limits:MaxUnauthenticatedDrainBytes=-1", "Tessera:Limits:MaxUnauthenticatedDrainBytes")]
    [InlineData("--Tessera:RateLimits:FailedAuthPerAddress:Limit=0", "Tessera:RateLimits:FailedAuthPerAddress:Limit")]
    [InlineData("--Tessera:RateLimits:FailedAuthPerAddress:WindowSeconds=0", "Tessera:RateLimits:FailedAuthPerAddress:Limit and WindowSeconds")]
    [InlineData("--Tessera:ForwardedHeaders:KnownProxies:0=proxy.internal", "Tessera:ForwardedHeaders:KnownProxies:0")]
    [InlineData("--Tessera:ForwardedHeaders:KnownNetworks:0=10.0.0.0/40", "Tessera:ForwardedHeaders:KnownNetworks:0")]
    [InlineData("--Tessera:Scrub:MaxBytesPerSecond=100", "Tessera:Scrub:MaxBytesPerSecond")]
    [InlineData("--Tessera:Scrub:MaxBytesPerSecond=fast", "Tessera:Scrub:MaxBytesPerSecond")]
    [InlineData("--Tessera:Scrub:IntervalSeconds=-1", "Tessera:Scrub:IntervalSeconds")]
    // ASPNETCORE_FORWARDEDHEADERS_ENABLED=true in the environment reaches the configuration as this key.
    [InlineData("--FORWARDEDHEADERS_ENABLED=true", "ASPNETCORE_FORWARDEDHEADERS_ENABLED")]
    public async Task A_bad_setting_exits_with_2_and_a_line_naming_it_before_touching_the_data_folder(string setting, string named)
    {
        await using var server = ServerProcess.Start(
            ["--urls=http://127.0.0.1:0", $"--Tessera:DataPath={DataPath}", "--Tessera:Projects:0:Name=alpha",
             "--Tessera:Projects:0:Keys:0=sk-long-enough-key", setting]);

        Assert.Equal(2, await server.WaitForExitAsync(Deadline));
        ShouldExplainInAFewLines(server, named);
        Assert.False(Directory.Exists(DataPath), "the data folder was created by a server that should not have started");
    }

    [Theory]
    [InlineData("--Tessera:Projects:0:Kyes:0=sk-another-long-key",
        "Tessera:Projects:0:Kyes is not a setting Tessera knows; did you mean Tessera:Projects:0:Keys? See docs/configuration.md.")]
    [InlineData("--Tessera:Limts:MaxPartBytes=1048576",
        "Tessera:Limts is not a setting Tessera knows; did you mean Tessera:Limits? See docs/configuration.md.")]
    [InlineData("--Tessera:Limits:MaxPartByte=1048576",
        "Tessera:Limits:MaxPartByte is not a setting Tessera knows; did you mean Tessera:Limits:MaxPartBytes? See docs/configuration.md.")]
    [InlineData("--Tessera:RateLimits:FailedAuthPerAdress:Limit=5",
        "Tessera:RateLimits:FailedAuthPerAdress is not a setting Tessera knows; did you mean Tessera:RateLimits:FailedAuthPerAddress? See docs/configuration.md.")]
    [InlineData("--Tessera:DataPath:Folder=elsewhere",
        "Tessera:DataPath:Folder is not a setting Tessera knows: Tessera:DataPath takes a single value, not settings under it. See docs/configuration.md.")]
    public async Task A_misspelled_setting_exits_with_2_naming_it_and_the_nearest_real_one(string setting, string explained)
    {
        await using var server = ServerProcess.Start(
            ["--urls=http://127.0.0.1:0", $"--Tessera:DataPath={DataPath}", "--Tessera:Projects:0:Name=alpha",
             "--Tessera:Projects:0:Keys:0=sk-long-enough-key", setting]);

        Assert.Equal(2, await server.WaitForExitAsync(Deadline));
        ShouldExplainInAFewLines(server, explained);
        Assert.False(Directory.Exists(DataPath), "the data folder was created by a server that should not have started");
    }

    [Fact]
    public async Task A_misspelled_setting_from_the_environment_exits_with_2_naming_it()
    {
        await using var server = ServerProcess.Start(
            ["--urls=http://127.0.0.1:0", $"--Tessera:DataPath={DataPath}"],
            environment: new Dictionary<string, string> { ["Tessera__Quotas__Byte"] = "1000" });

        Assert.Equal(2, await server.WaitForExitAsync(Deadline));
        ShouldExplainInAFewLines(server, "Tessera:Quotas:Byte is not a setting Tessera knows; did you mean Tessera:Quotas:Bytes?");
    }

    [Fact]
    public async Task A_section_one_letter_away_from_Tessera_is_warned_about_and_one_differing_only_in_case_is_read()
    {
        await using var server = ServerProcess.Start(["--urls=http://127.0.0.1:0", $"--tessera:datapath={DataPath}", "--Tesera:Projects:0:Name=alpha"]);
        await server.WaitUntilListeningAsync();

        var warning = Assert.Single(server.Output, line => line.Contains("is not one Tessera reads", StringComparison.Ordinal));
        Assert.Contains("settings section Tesera ", warning);
        Assert.Contains("did you mean Tessera?", warning);
        Assert.True(File.Exists(Path.Combine(DataPath, "tessera.db")), "tessera:datapath, in lower case, was not read");
    }

    [Fact]
    public async Task An_unreachable_database_stops_the_server_without_its_log_saying_it_was_listening()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        await using var server = ServerProcess.Start(
            ["--urls=http://127.0.0.1:0", $"--Tessera:DataPath={DataPath}", "--Tessera:Metadata:Provider=Postgres",
             $"--Tessera:Metadata:ConnectionString=Host=127.0.0.1;Port={closedPort};Username=tessera;Database=tessera"]);

        Assert.Equal(3, await server.WaitForExitAsync(Deadline));
        Assert.Contains(server.Errors, line => line.StartsWith("Tessera cannot start: ", StringComparison.Ordinal));
        Assert.DoesNotContain(server.Output, line => line.Contains("listening on", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("1.5")]
    public async Task A_trace_ratio_that_is_not_a_share_exits_with_2_naming_the_variable(string ratio)
    {
        await using var server = ServerProcess.Start(
            ["--urls=http://127.0.0.1:0", $"--Tessera:DataPath={DataPath}", "--Tessera:Telemetry:Otlp:Endpoint=http://127.0.0.1:4318",
             $"--OTEL_TRACES_SAMPLER_ARG={ratio}"]);

        Assert.Equal(2, await server.WaitForExitAsync(Deadline));
        ShouldExplainInAFewLines(server, "OTEL_TRACES_SAMPLER_ARG");
        Assert.Contains(server.Errors, line => line.Contains($"'{ratio}'", StringComparison.Ordinal));
        Assert.False(Directory.Exists(DataPath));
    }

    [Theory]
    [InlineData("Tessera:Metadata:Provider", "Oracle", "Sqlite")]
    [InlineData("Tessera:Blobs:Provider", "Tape", "Folder")]
    public async Task An_unknown_storage_provider_exits_with_2_on_one_line_naming_the_setting_and_the_accepted_values(string setting, string value, string accepted)
    {
        await using var server = ServerProcess.Start(["--urls=http://127.0.0.1:0", $"--Tessera:DataPath={DataPath}", $"--{setting}={value}"]);

        Assert.Equal(2, await server.WaitForExitAsync(Deadline));
        var line = Assert.Single(server.Errors);
        Assert.Contains(setting, line);
        Assert.Contains($"'{value}'", line);
        Assert.Contains(accepted, line);
        Assert.False(Directory.Exists(DataPath));
    }

    [Theory]
    [InlineData("", "must be set")]
    [InlineData("Host=db;Password=secret-word;Bogus Keyword=1", "is not valid")]
    public async Task Postgres_without_a_usable_connection_string_exits_with_2_without_quoting_it(string connectionString, string explained)
    {
        await using var server = ServerProcess.Start(
            ["--urls=http://127.0.0.1:0", $"--Tessera:DataPath={DataPath}", "--Tessera:Metadata:Provider=Postgres",
             $"--Tessera:Metadata:ConnectionString={connectionString}"]);

        Assert.Equal(2, await server.WaitForExitAsync(Deadline));
        ShouldExplainInAFewLines(server, "Tessera:Metadata:ConnectionString");
        Assert.Contains(server.Errors, line => line.Contains(explained, StringComparison.Ordinal));
        Assert.DoesNotContain(server.Errors, line => line.Contains("secret-word", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Open_mode_on_a_network_address_exits_with_2_naming_the_setting_that_allows_it()
    {
        await using var server = ServerProcess.Start(["--urls=http://0.0.0.0:0", $"--Tessera:DataPath={DataPath}"]);

        Assert.Equal(2, await server.WaitForExitAsync(Deadline));
        ShouldExplainInAFewLines(server, "Tessera:AllowOpenModeOnNetwork");
        Assert.False(Directory.Exists(DataPath));
    }

    [Fact]
    public async Task A_data_folder_that_cannot_be_created_exits_with_3_naming_the_path()
    {
        var aFile = Path.Combine(_root, "a-file");
        await File.WriteAllTextAsync(aFile, "not a folder", TestContext.Current.CancellationToken);
        var dataPath = Path.Combine(aFile, "data");

        await using var server = ServerProcess.Start(["--urls=http://127.0.0.1:0", $"--Tessera:DataPath={dataPath}"]);

        Assert.Equal(3, await server.WaitForExitAsync(Deadline));
        ShouldExplainInAFewLines(server, "Tessera:DataPath");
        Assert.Contains(server.Errors, line => line.Contains(aFile, StringComparison.Ordinal) && line.Contains("is a file", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_port_in_use_exits_with_3_naming_the_address_and_leaves_no_database()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)holder.LocalEndpoint).Port}";

        await using var server = ServerProcess.Start([$"--urls={address}", $"--Tessera:DataPath={DataPath}"]);

        Assert.Equal(3, await server.WaitForExitAsync(Deadline));
        ShouldExplainInAFewLines(server, "urls");
        Assert.Contains(server.Errors, line => line.Contains(address, StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(DataPath, "tessera.db")), "the database was opened before the port was bound");
        Assert.DoesNotContain(server.Output, line => line.Contains("Reconciled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_server_on_the_same_data_folder_is_refused_and_told_which_process_holds_it()
    {
        await using var first = ServerProcess.Start(["--urls=http://127.0.0.1:0", $"--Tessera:DataPath={DataPath}"]);
        var firstAddress = await first.WaitUntilListeningAsync();

        await using var second = ServerProcess.Start(["--urls=http://127.0.0.1:0", $"--Tessera:DataPath={DataPath}"]);

        Assert.Equal(3, await second.WaitForExitAsync(Deadline));
        ShouldExplainInAFewLines(second, "Tessera:DataPath");
        Assert.Contains(second.Errors, line => line.Contains($"process {first.Id}", StringComparison.Ordinal));
        using var client = new HttpClient { BaseAddress = firstAddress };
        using var health = await client.GetAsync("healthz", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task The_stack_trace_of_a_start_up_error_is_printed_when_asked_for()
    {
        await using var server = ServerProcess.Start(
            ["--urls=http://127.0.0.1:0", $"--Tessera:DataPath={DataPath}", "--Tessera:Limits:MaxPartBytes=0", "--Tessera:DetailedStartupErrors=true"]);

        Assert.Equal(2, await server.WaitForExitAsync(Deadline));
        Assert.Contains(server.Errors, line => line.Contains("Tessera:Limits:MaxPartBytes", StringComparison.Ordinal));
        Assert.Contains(server.Errors, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_relative_data_path_is_kept_in_the_folder_the_server_was_started_from()
    {
        var startedFrom = Directory.CreateDirectory(Path.Combine(_root, "started-here")).FullName;
        await using var server = ServerProcess.Start(["--urls=http://127.0.0.1:0", "--Tessera:DataPath=./data"], startedFrom);
        var address = await server.WaitUntilListeningAsync();
        using var client = new HttpClient { BaseAddress = address };
        using var health = await client.GetAsync("healthz", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        Assert.True(File.Exists(Path.Combine(startedFrom, "data", "tessera.db")), "the database is not in ./data of the working directory");
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

    /// <summary>One or two lines on standard error that name the setting, and no stack trace anywhere.</summary>
    private static void ShouldExplainInAFewLines(ServerProcess server, string setting)
    {
        var errors = server.Errors;
        Assert.InRange(errors.Count, 1, 3);
        Assert.Contains(errors, line => line.Contains(setting, StringComparison.Ordinal));
        Assert.DoesNotContain(errors.Concat(server.Output), line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain(errors.Concat(server.Output), line => line.Contains("Unhandled exception", StringComparison.Ordinal));
    }
}
