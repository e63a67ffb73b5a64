using Tessera.Cli.Tests.Infrastructure;

namespace Tessera.Cli.Tests;

/// <summary>OpenAI's documented cancel command, against an empty open-mode server.</summary>
public sealed class OpenModeErrorTests
{
    [Fact]
    public async Task The_documented_cancel_of_an_unknown_upload_prints_the_404_and_its_error_and_exits_1()
    {
        await using var server = await TesseraTestServer.StartAsync(openMode: true);
        using var tessera = new TesseraCli(server.BaseAddress, apiKey: null);

        var run = await tessera.RunAsync("uploads", "cancel", "--api-key", "My API Key", "--upload-id", "upload_abc123");

        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.StandardOutput);
        Assert.Equal(
            $$"""
            POST "{{server.BaseAddress}}uploads/upload_abc123/cancel": 404 Not Found
            {
              "message": "No such Upload object: upload_abc123",
              "type": "invalid_request_error",
              "param": "id",
              "code": null
            }

            """,
            run.StandardError);
    }
}
