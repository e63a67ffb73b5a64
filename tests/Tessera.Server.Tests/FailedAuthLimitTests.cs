using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// Failed authentications are limited per client address (<c>Tessera:RateLimits:FailedAuthPerAddress</c>, 10 in
/// 10 s): the 11th is answered 429 with <c>Retry-After</c>, while other addresses and right keys are served. The
/// address is the one a trusted proxy's <c>X-Forwarded-For</c> names, and only a trusted proxy's.
/// </summary>
public sealed class FailedAuthLimitTests
{
    private const string WrongKey = "sk-not-a-configured-key-0000000";
    private const int Limit = 10;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_11th_failed_authentication_from_one_address_gets_429_with_Retry_After_and_another_address_is_not_affected()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var first = ClientFrom(server, IPAddress.Parse("127.0.0.2"), WrongKey);
        using var second = ClientFrom(server, IPAddress.Parse("127.0.0.3"), WrongKey);
        using var secondWithoutKey = ClientFrom(server, IPAddress.Parse("127.0.0.3"), key: null);

        await FailAsync(first, Limit);
        await ShouldBeLimitedAsync(await first.GetAsync("files", Token));

        await (await second.GetAsync("files", Token)).ShouldFailAsync(HttpStatusCode.Unauthorized, null, "invalid_api_key");
        await (await secondWithoutKey.GetAsync("files", Token)).ShouldFailAsync(HttpStatusCode.Unauthorized, null);
    }

    [Fact]
    public async Task A_right_key_from_an_address_past_its_failed_authentications_is_served()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var wrong = ClientFrom(server, IPAddress.Parse("127.0.0.2"), WrongKey);
        using var right = ClientFrom(server, IPAddress.Parse("127.0.0.2"), TesseraTestServer.KeyA);

        await FailAsync(wrong, Limit);
        await ShouldBeLimitedAsync(await wrong.GetAsync("files", Token));

        await (await right.GetAsync("files", Token)).ShouldSucceedAsync();
        await ShouldBeLimitedAsync(await wrong.GetAsync("files", Token));
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_each_forwarded_address_has_a_budget_of_its_own()
    {
        await using var server = await TesseraTestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Tessera:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        });
        using var client = server.CreateClient(WrongKey);

        for (var i = 0; i < Limit; i++)
        {
            await (await GetForAsync(client, "203.0.113.7")).ShouldFailAsync(HttpStatusCode.Unauthorized, null, "invalid_api_key");
        }

        await ShouldBeLimitedAsync(await GetForAsync(client, "203.0.113.7"));
        await (await GetForAsync(client, "203.0.113.8")).ShouldFailAsync(HttpStatusCode.Unauthorized, null, "invalid_api_key");
    }

    [Fact]
    public async Task Without_a_trusted_proxy_X_Forwarded_For_is_ignored_and_the_connection_address_counts()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = server.CreateClient(WrongKey);

        for (var i = 0; i < Limit; i++)
        {
            await (await GetForAsync(client, $"203.0.113.{i + 1}")).ShouldFailAsync(HttpStatusCode.Unauthorized, null, "invalid_api_key");
        }

        await ShouldBeLimitedAsync(await GetForAsync(client, "203.0.113.200"));
    }

    [Fact]
    public async Task A_limit_set_in_the_settings_applies()
    {
        await using var server = await TesseraTestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Tessera:RateLimits:FailedAuthPerAddress:Limit"] = "2",
            ["Tessera:RateLimits:FailedAuthPerAddress:WindowSeconds"] = "60",
        });
        using var client = server.CreateClient(key: null);

        await FailAsync(client, 2);
        var error = await ShouldBeLimitedAsync(await client.GetAsync("files", Token));
        Assert.Contains("at most 2 in 60 s", error);
    }

    private static async Task FailAsync(HttpClient client, int times)
    {
        for (var i = 0; i < times; i++)
        {
            using var response = await client.GetAsync("files", Token);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    /// <summary>Asserts the 429 of docs/api.md section 2 and answers its message.</summary>
    private static async Task<string> ShouldBeLimitedAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var error = await response.ShouldFailAsync(HttpStatusCode.TooManyRequests, null, "rate_limit_exceeded", "rate_limit_error");
            var retryAfter = response.Headers.RetryAfter?.Delta;
            Assert.True(retryAfter is { } wait && wait >= TimeSpan.FromSeconds(1), $"Retry-After: {response.Headers.RetryAfter}");
            Assert.Equal("true", response.Headers.GetValues("x-should-retry").Single());
            var message = error.GetProperty("message").GetString()!;
            Assert.StartsWith("Too many failed authentications from this address", message);
            return message;
        }
    }

    private static async Task<HttpResponseMessage> GetForAsync(HttpClient client, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "files");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await client.SendAsync(request, Token);
    }

    /// <summary>A client whose connections come from <paramref name="local"/> (any 127.x address is loopback on Linux).</summary>
    private static HttpClient ClientFrom(TesseraTestServer server, IPAddress local, string? key)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = server.BaseAddress };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }
}
