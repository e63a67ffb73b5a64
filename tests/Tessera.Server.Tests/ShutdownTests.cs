using System.Net;
using System.Text;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// Stopping a real server process with a part in flight: it says it is shutting down, gives the part a bounded
/// grace (Tessera:ShutdownGraceSeconds), a second signal cuts the grace short, and either way nothing half-written
/// remains: no unfinished file, no part.
/// </summary>
[Trait(StorageTraits.Name, StorageTraits.Embedded)]
public sealed class ShutdownTests : IDisposable
{
    private readonly string _dataPath = Directory.CreateTempSubdirectory("tessera-shutdown-").FullName;
    private readonly CancellationTokenSource _stalledClients = new();

    [Fact]
    public async Task A_part_still_arriving_when_the_grace_ends_leaves_nothing_behind()
    {
        await using var server = StartServer(graceSeconds: 2);
        var uploadId = await StartStalledPartAsync(server);

        await server.SignalAsync("TERM");

        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(server.Output, line => line.Contains("Shutting down", StringComparison.Ordinal) && line.Contains("2 s", StringComparison.Ordinal));
        await ShouldHaveNoPartsAsync(uploadId);
    }

    [Fact]
    public async Task A_second_signal_stops_at_once_and_leaves_nothing_behind()
    {
        await using var server = StartServer(graceSeconds: 600);
        var uploadId = await StartStalledPartAsync(server);

        await server.SignalAsync("TERM");
        await WaitForLineAsync(server, "Shutting down");
        await server.SignalAsync("TERM");

        // Far below the 600 s grace: the second signal ended it.
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await ShouldHaveNoPartsAsync(uploadId);
    }

    public void Dispose()
    {
        _stalledClients.Cancel();
        _stalledClients.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not a test failure.
        }
    }

    private ServerProcess StartServer(int graceSeconds) => ServerProcess.Start(
        ["--urls=http://127.0.0.1:0", $"--Tessera:DataPath={_dataPath}", $"--Tessera:ShutdownGraceSeconds={graceSeconds}",
         "--Tessera:Projects:0:Name=" + TesseraTestServer.ProjectA, "--Tessera:Projects:0:Keys:0=" + TesseraTestServer.KeyA]);

    /// <summary>Creates an upload and starts a part that sends its first mebibyte and then waits for ever; returns once the server is writing it.</summary>
    private async Task<string> StartStalledPartAsync(ServerProcess server)
    {
        var client = new HttpClient { BaseAddress = new Uri(await server.WaitUntilListeningAsync(), "v1/"), Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new("Bearer", TesseraTestServer.KeyA);
        var uploadId = (await client.CreateUploadAsync(8 << 20)).Id();
        _ = SendAndDisposeAsync(client, client.PostAsync($"uploads/{uploadId}/parts", new StalledPartContent(), _stalledClients.Token));
        var unfinished = Path.Combine(_dataPath, "tmp");
        for (var i = 0; i < 600 && !(Directory.Exists(unfinished) && Directory.EnumerateFiles(unfinished).Any()); i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.True(Directory.EnumerateFiles(unfinished).Any(), "the server never started writing the part");
        return uploadId;
    }

    private static async Task SendAndDisposeAsync(HttpClient client, Task<HttpResponseMessage> sending)
    {
        using (client)
        {
            try
            {
                using var response = await sending;
            }
            catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException)
            {
                // The server went away, as it should.
            }
        }
    }

    private static async Task WaitForLineAsync(ServerProcess server, string text)
    {
        for (var i = 0; i < 600 && !server.Output.Any(line => line.Contains(text, StringComparison.Ordinal)); i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Contains(server.Output, line => line.Contains(text, StringComparison.Ordinal));
    }

    /// <summary>No unfinished write on disk, and a restarted server lists no part for the upload.</summary>
    private async Task ShouldHaveNoPartsAsync(string uploadId)
    {
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_dataPath, "tmp")));
        await using var restarted = await TesseraTestServer.StartAsync(dataPath: _dataPath);
        using var client = restarted.CreateClient();
        using var parts = await client.GetAsync($"uploads/{uploadId}/parts", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, parts.StatusCode);
        Assert.Empty((await parts.ShouldSucceedAsync()).GetProperty("data").EnumerateArray());
    }

    /// <summary>A multipart part whose body sends one mebibyte and then nothing more, like a client that stalled.</summary>
    private sealed class StalledPartContent : HttpContent
    {
        private const string Boundary = "stalled-part-boundary";

        public StalledPartContent()
        {
            Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={Boundary}");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var head = $"--{Boundary}\r\nContent-Disposition: form-data; name=\"data\"; filename=\"blob\"\r\nContent-Type: application/octet-stream\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken);
            // More than one write buffer (4 MiB), so the server has begun its file under tmp/ when the bytes stop.
            await stream.WriteAsync(new byte[5 << 20], cancellationToken);
            await stream.FlushAsync(cancellationToken);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
