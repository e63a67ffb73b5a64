using System.Net;
using Microsoft.Extensions.Logging;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// The Host header (docs/api.md sections 2 and 5): against DNS rebinding, an open-mode server answers only loopback
/// names and addresses, on any port; with keys, AllowedHosts decides. A foreign Host gets 400 <c>host_not_allowed</c>
/// in the error envelope, with a request id and an access line; <c>/livez</c> and <c>/healthz</c> answer any Host.
/// </summary>
public sealed class HostHeaderTests
{
    private const string AccessLogCategory = "Tessera.Server.AccessLog";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task In_open_mode_an_API_request_naming_a_foreign_host_is_refused_with_400_and_stores_nothing()
    {
        await using var server = await TesseraTestServer.StartAsync(openMode: true);
        using var client = server.CreateClient("anything");

        using (var upload = Upload("rebinding.example:8080"))
        {
            using var refused = await client.SendAsync(upload, Token);
            var error = await refused.ShouldFailAsync(HttpStatusCode.BadRequest, null, "host_not_allowed");
            var message = error.GetProperty("message").GetString()!;
            Assert.Contains("rebinding.example", message);
            Assert.Contains("localhost, 127.0.0.1, [::1]", message);
            Assert.Contains("Tessera:AllowOpenModeOnNetwork", message);
        }

        using (var list = Request(HttpMethod.Get, "files", "rebinding.example"))
        {
            using var refused = await client.SendAsync(list, Token);
            await refused.ShouldFailAsync(HttpStatusCode.BadRequest, null, "host_not_allowed");
        }

        var files = await (await client.GetAsync("files", Token)).ShouldSucceedAsync();
        Assert.Equal(0, files.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task In_open_mode_the_console_naming_a_foreign_host_is_refused_with_400()
    {
        await using var server = await TesseraTestServer.StartAsync(openMode: true);
        using var browser = new HttpClient { BaseAddress = server.Root };

        using var request = Request(HttpMethod.Get, "console", "rebinding.example");
        using var refused = await browser.SendAsync(request, Token);

        await refused.ShouldFailAsync(HttpStatusCode.BadRequest, null, "host_not_allowed");
        using var page = await browser.GetAsync("console", Token);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("LocalHost:1")]
    [InlineData("127.0.0.1:65535")]
    [InlineData("127.3.4.5")]
    [InlineData("[::1]:80")]
    public async Task In_open_mode_loopback_names_and_addresses_on_any_port_are_answered(string host)
    {
        await using var server = await TesseraTestServer.StartAsync(openMode: true);
        using var client = server.CreateClient("anything");

        using var request = Request(HttpMethod.Get, "files", host);
        await (await client.SendAsync(request, Token)).ShouldSucceedAsync();
    }

    [Theory]
    [InlineData("healthz")]
    [InlineData("livez")]
    public async Task Health_probes_by_any_host_are_answered_in_open_mode(string probe)
    {
        await using var server = await TesseraTestServer.StartAsync(openMode: true);
        using var prober = new HttpClient { BaseAddress = server.Root };

        using var request = Request(HttpMethod.Get, probe, "10.1.2.3:8080");
        using var response = await prober.SendAsync(request, Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_refused_host_gets_an_access_line_with_its_request_id()
    {
        var logs = new LogCapture();
        await using var server = await TesseraTestServer.StartAsync(
            openMode: true, settings: new Dictionary<string, string> { [$"Logging:LogLevel:{AccessLogCategory}"] = "Information" },
            configureServices: logs.AddTo);
        using var client = server.CreateClient("anything");

        using var request = Request(HttpMethod.Get, "files", "rebinding.example");
        using var refused = await client.SendAsync(request, Token);
        var requestId = refused.Headers.GetValues("x-request-id").Single();

        await Eventually.HoldsAsync(
            () => logs.Entries.Any(e => e.Category == AccessLogCategory && e.Level == LogLevel.Information
                && e.Message.Contains(requestId, StringComparison.Ordinal) && e.Message.Contains(" 400 ", StringComparison.Ordinal)),
            "the refused request has an access line");
    }

    [Fact]
    public async Task With_keys_AllowedHosts_decides_and_a_host_it_does_not_list_gets_the_error_envelope()
    {
        await using var server = await TesseraTestServer.StartAsync(
            settings: new Dictionary<string, string> { ["AllowedHosts"] = "tessera.test;*.corp.test" });
        using var client = server.CreateClient();

        foreach (var host in new[] { "tessera.test", "TESSERA.test:8443", "files.corp.test" })
        {
            using var request = Request(HttpMethod.Get, "files", host);
            await (await client.SendAsync(request, Token)).ShouldSucceedAsync();
        }

        foreach (var host in new[] { "rebinding.example", "127.0.0.1", "corp.test.rebinding.example" })
        {
            using var request = Request(HttpMethod.Get, "files", host);
            using var refused = await client.SendAsync(request, Token);
            var error = await refused.ShouldFailAsync(HttpStatusCode.BadRequest, null, "host_not_allowed");
            Assert.Contains("tessera.test, *.corp.test", error.GetProperty("message").GetString());
            Assert.Contains("AllowedHosts", error.GetProperty("message").GetString());
        }

        using var probe = Request(HttpMethod.Get, new Uri(server.Root, "healthz").ToString(), "10.1.2.3");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(probe, Token)).StatusCode);
    }

    [Fact]
    public async Task With_keys_and_no_AllowedHosts_any_host_is_answered()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = server.CreateClient();

        using var request = Request(HttpMethod.Get, "files", "tessera.anywhere.example");
        await (await client.SendAsync(request, Token)).ShouldSucceedAsync();
    }

    [Fact]
    public async Task Open_mode_allowed_on_the_network_answers_loopback_and_the_hosts_in_AllowedHosts_only()
    {
        await using var server = await TesseraTestServer.StartAsync(openMode: true, settings: new Dictionary<string, string>
        {
            ["Tessera:AllowOpenModeOnNetwork"] = "true",
            ["AllowedHosts"] = "tessera.test",
        });
        using var client = server.CreateClient("anything");

        foreach (var host in new[] { "tessera.test:8080", "localhost:8080" })
        {
            using var request = Request(HttpMethod.Get, "files", host);
            await (await client.SendAsync(request, Token)).ShouldSucceedAsync();
        }

        using var foreign = Request(HttpMethod.Get, "files", "rebinding.example");
        using var refused = await client.SendAsync(foreign, Token);
        var error = await refused.ShouldFailAsync(HttpStatusCode.BadRequest, null, "host_not_allowed");
        Assert.Contains("tessera.test", error.GetProperty("message").GetString());
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string host) =>
        new(method, path) { Headers = { Host = host } };

    private static HttpRequestMessage Upload(string host)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent("assistants"), "purpose" },
            { new ByteArrayContent([1, 2, 3]), "file", "data.bin" },
        };
        var request = Request(HttpMethod.Post, "files", host);
        request.Content = form;
        return request;
    }
}
