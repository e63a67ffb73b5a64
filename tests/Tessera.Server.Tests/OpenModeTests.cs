using System.Net;
using Tessera.Server.Hosting;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>docs/api.md section 5: with no keys configured, Tessera accepts any bearer token into one project, on loopback only.</summary>
public sealed class OpenModeTests
{
    [Fact]
    public async Task Any_bearer_token_is_accepted_into_one_shared_project()
    {
        await using var server = await TesseraTestServer.StartAsync(openMode: true);
        using var first = server.CreateClient("anything");
        using var second = server.CreateClient("something-else-entirely");
        var fileId = (await first.UploadFileAsync([1, 2, 3])).Id();
        Assert.Equal([1, 2, 3], await second.GetByteArrayAsync($"files/{fileId}/content"));
    }

    [Fact]
    public async Task A_request_with_no_bearer_token_is_still_refused_with_401()
    {
        await using var server = await TesseraTestServer.StartAsync(openMode: true);
        using var client = server.CreateClient(key: null);
        await (await client.GetAsync("files")).ShouldFailAsync(HttpStatusCode.Unauthorized, param: null);
    }

    [Fact]
    public void Open_mode_refuses_to_listen_beyond_loopback_unless_told_to()
    {
        var dataPath = Directory.CreateTempSubdirectory("tessera-open-").FullName;
        try
        {
            var refused = Assert.Throws<StartupException>(() =>
                TesseraApp.Build(["--urls=http://0.0.0.0:0", $"--Tessera:DataPath={dataPath}"]));
            Assert.Contains("Tessera:AllowOpenModeOnNetwork", refused.Message);

            using var allowed = TesseraApp.Build(["--urls=http://0.0.0.0:0", $"--Tessera:DataPath={dataPath}", "--Tessera:AllowOpenModeOnNetwork=true", "--AllowedHosts=tessera.test"]);
            using var keyed = TesseraApp.Build(["--urls=http://0.0.0.0:0", $"--Tessera:DataPath={dataPath}", "--Tessera:Projects:0:Name=p", "--Tessera:Projects:0:Keys:0=sk-long-enough-key"]);
        }
        finally
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }

    [Fact]
    public async Task Health_answers_200_without_a_key()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = new HttpClient { BaseAddress = server.Root };
        using var response = await client.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        response.ShouldHaveRequestId();
    }

    [Theory]
    [InlineData("Tessera:Limits:MaxPartBytes", "0")]
    [InlineData("Tessera:Limits:MaxPartsPerUpload", "0")]
    [InlineData("Tessera:WriteBufferBudgetMiB", "-1")]
    public void A_bad_setting_stops_the_server_with_a_message_that_names_it(string setting, string value)
    {
        var dataPath = Directory.CreateTempSubdirectory("tessera-bad-").FullName;
        try
        {
            var failure = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
                TesseraApp.Build([$"--Tessera:DataPath={dataPath}", "--urls=http://127.0.0.1:0", $"--{setting}={value}"]));
            Assert.Contains(setting, failure.Message);
        }
        finally
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }
}
