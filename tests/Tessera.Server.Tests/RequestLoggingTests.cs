using System.Net;
using System.Text.Json;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// The log of a real server process started from a folder other than its own, in JSON (a setting the framework
/// offers): one access line per request, the request id of the response in every line of that request, 4xx included,
/// and none of the framework's per-request chatter (its settings next to the binary are found).
/// </summary>
public sealed class RequestLoggingTests : IDisposable
{
    private const string AccessLogCategory = "Tessera.Server.AccessLog";

    private readonly string _root = Directory.CreateTempSubdirectory("tessera-logging-").FullName;

    [Fact]
    public async Task The_request_id_of_a_response_is_in_every_log_line_of_that_request_and_each_request_has_one_access_line()
    {
        await using var server = ServerProcess.Start(
            ["--urls=http://127.0.0.1:0", "--Tessera:DataPath=./data", "--Logging:Console:FormatterName=json",
             "--Tessera:Projects:0:Name=alpha", $"--Tessera:Projects:0:Keys:0={TesseraTestServer.KeyA}"],
            workingDirectory: _root);
        using var client = new HttpClient { BaseAddress = new Uri(await server.WaitUntilListeningAsync(), "v1/") };
        client.DefaultRequestHeaders.Authorization = new("Bearer", TesseraTestServer.KeyA);

        var uploadId = (await client.CreateUploadAsync(3)).Id();
        using var part = await client.PostPartAsync(uploadId, [1, 2, 3]);
        var partId = (await part.ShouldSucceedAsync()).Id();
        using var missing = await client.GetAsync("uploads/upload_00000000000000000000000000000000", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        var partRequestId = part.Headers.GetValues("x-request-id").Single();
        var missingRequestId = missing.Headers.GetValues("x-request-id").Single();
        var entries = await WaitForAccessLinesAsync(server, count: 3);

        var partStored = Assert.Single(entries, e => e.GetProperty("State").TryGetProperty("PartId", out var id) && id.GetString() == partId);
        Assert.Equal(partRequestId, RequestIdOf(partStored));
        var partAccess = Assert.Single(entries, e => IsAccessLine(e) && RequestIdOf(e) == partRequestId);
        var state = partAccess.GetProperty("State");
        Assert.Equal(200, state.GetProperty("Status").GetInt32());
        Assert.Equal("POST", state.GetProperty("Method").GetString());
        Assert.Equal($"/v1/uploads/{uploadId}/parts", state.GetProperty("Path").GetString());
        Assert.Equal("", state.GetProperty("Query").GetString());
        Assert.True(state.GetProperty("DurationMs").GetDouble() > 0);
        Assert.Equal(partRequestId, state.GetProperty("RequestId").GetString());
        Assert.True(state.GetProperty("RequestBytes").GetInt64() > 3, "the part's multipart body was read");
        Assert.Equal((await part.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Length, state.GetProperty("ResponseBytes").GetInt64());

        var missingAccess = Assert.Single(entries, e => IsAccessLine(e) && RequestIdOf(e) == missingRequestId);
        Assert.Equal(404, missingAccess.GetProperty("State").GetProperty("Status").GetInt32());

        // Every line written while a request was served carries its id: none has a request path without one.
        Assert.All(entries.Where(e => ScopeValue(e, "RequestPath") is not null), e => Assert.StartsWith("req_", RequestIdOf(e)));
        Assert.Equal(3, entries.Count(IsAccessLine));
        Assert.DoesNotContain(entries, e => e.GetProperty("Category").GetString()!.StartsWith("Microsoft.AspNetCore.Hosting", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.GetProperty("Category").GetString()!.StartsWith("Microsoft.AspNetCore.Routing", StringComparison.Ordinal));
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

    private static bool IsAccessLine(JsonElement entry) => entry.GetProperty("Category").GetString() == AccessLogCategory;

    private static string? RequestIdOf(JsonElement entry) => ScopeValue(entry, "RequestId");

    private static string? ScopeValue(JsonElement entry, string name) =>
        entry.TryGetProperty("Scopes", out var scopes)
            ? scopes.EnumerateArray().Select(scope => scope.TryGetProperty(name, out var value) ? value.GetString() : null).LastOrDefault(v => v is not null)
            : null;

    /// <summary>An access line is written as its request ends, which may be a moment after the client has read the answer.</summary>
    private static async Task<IReadOnlyList<JsonElement>> WaitForAccessLinesAsync(ServerProcess server, int count)
    {
        for (var i = 0; i < 200; i++)
        {
            var entries = server.JsonLogEntries();
            if (entries.Count(IsAccessLine) >= count)
            {
                return entries;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"Fewer than {count} access lines were logged:\n{string.Join('\n', server.Output)}");
        return [];
    }
}
