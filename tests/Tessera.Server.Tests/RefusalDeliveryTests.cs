using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// A refusal on a route that takes a large body reaches the client as that answer (status and message), whether it
/// comes before the body is read or when the body passes its limit, for curl and for HttpClient, which both go on
/// sending while the server answers.
/// </summary>
public sealed class RefusalDeliveryTests(SmallPartServer fixture) : IClassFixture<SmallPartServer>
{
    private const string UnknownUpload = "upload_00000000000000000000000000000000";

    private readonly TesseraTestServer _server = fixture.Server;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_oversized_part_sent_with_curl_gets_the_400_naming_the_limit_and_the_upload_still_works(bool expectContinue)
    {
        using var client = _server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(3)).Id();
        using var part = new TemporaryFile(6 * SmallPartServer.MaxPartBytes);

        var (status, body) = await CurlPartAsync(uploadId, part.Path, TesseraTestServer.KeyA, expectContinue);

        Assert.Equal(400, status);
        var error = ErrorOf(body);
        Assert.Equal("data", error.GetProperty("param").GetString());
        Assert.Contains($"at most {SmallPartServer.MaxPartBytes} bytes (4 MiB)", error.GetProperty("message").GetString());
        await AssertNothingStoredAsync(client, uploadId);

        var partId = await client.AddPartAsync(uploadId, [1, 2, 3]);
        var completed = await client.CompleteAsync(uploadId, [partId]);
        Assert.Equal("completed", completed.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("unknown key", true)]
    [InlineData("unknown key", false)]
    [InlineData("unknown upload", true)]
    [InlineData("unknown upload", false)]
    public async Task A_refusal_before_a_large_part_is_read_reaches_curl_as_that_answer(string refusal, bool expectContinue)
    {
        // Larger than Kestrel's default body limit (30 MB), which the refusal comes before.
        using var part = new TemporaryFile(40 << 20);
        var (key, uploadId, expected) = Refusal(refusal);

        var (status, body) = await CurlPartAsync(uploadId, part.Path, key, expectContinue);

        Assert.Equal((int)expected, status);
        var error = ErrorOf(body);
        if (expected == HttpStatusCode.NotFound)
        {
            Assert.Equal($"No such Upload object: {UnknownUpload}", error.GetProperty("message").GetString());
        }
        else
        {
            Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        }

        Assert.Empty(_server.TemporaryFiles());
    }

    [Theory]
    [InlineData("unknown key")]
    [InlineData("unknown upload")]
    public async Task A_refusal_before_a_large_part_is_read_reaches_HttpClient_as_that_answer(string refusal)
    {
        var (key, uploadId, expected) = Refusal(refusal);
        using var client = _server.CreateClient(key);

        using var response = await client.PostPartAsync(uploadId, new byte[40 << 20]);

        await response.ShouldFailAsync(expected, expected == HttpStatusCode.NotFound ? "id" : null,
            code: expected == HttpStatusCode.Unauthorized ? "invalid_api_key" : null);
    }

    [Fact]
    public async Task An_oversized_part_sent_with_HttpClient_gets_the_400_and_the_connection_serves_the_next_request()
    {
        using var client = _server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(3)).Id();

        using (var response = await client.PostPartAsync(uploadId, new byte[3 * SmallPartServer.MaxPartBytes]))
        {
            var error = await response.ShouldFailAsync(HttpStatusCode.BadRequest, "data");
            Assert.Contains($"{SmallPartServer.MaxPartBytes} bytes", error.GetProperty("message").GetString());
        }

        await client.AddPartAsync(uploadId, [1, 2, 3]);
        await AssertNothingStoredAsync(client, uploadId, allowedParts: 1);
    }

    [Fact]
    public async Task A_file_over_its_limit_gets_the_400_naming_the_limit()
    {
        using var client = _server.CreateClient();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("assistants"), "purpose" },
            { new ByteArrayContent(new byte[3 * SmallPartServer.MaxPartBytes]), "file", "big.jsonl" },
        };

        using var response = await client.PostAsync("files", form);

        var error = await response.ShouldFailAsync(HttpStatusCode.BadRequest, "file");
        Assert.Contains($"at most {SmallPartServer.MaxPartBytes} bytes", error.GetProperty("message").GetString());
        Assert.Empty(_server.TemporaryFiles());
    }

    [Fact]
    public async Task A_refused_body_past_the_drain_bound_is_answered_at_once_without_being_read_and_the_connection_closed()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_server.Root.Host, _server.Root.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"POST /v1/uploads/{UnknownUpload}/parts HTTP/1.1\r\nHost: {_server.Root.Authority}\r\nAuthorization: Bearer {TesseraTestServer.KeyA}\r\n" +
            $"Content-Type: multipart/form-data; boundary=B\r\nContent-Length: {SmallPartServer.MaxDrainBytes + 1}\r\n\r\n"));

        // Not one byte of the body is sent: only an answer that does not wait for it can arrive.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var answer = await RawHttp.ReceiveUntilClosedAsync(socket, timeout.Token);

        Assert.StartsWith("HTTP/1.1 404 ", answer);
        Assert.Contains("Connection: close", answer, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"No such Upload object: {UnknownUpload}", answer);
    }

    private static (string Key, string UploadId, HttpStatusCode Status) Refusal(string refusal) => refusal switch
    {
        "unknown key" => ("sk-not-a-configured-key-0000000", UnknownUpload, HttpStatusCode.Unauthorized),
        _ => (TesseraTestServer.KeyA, UnknownUpload, HttpStatusCode.NotFound),
    };

    /// <summary>Sends a part as <c>curl -F data=@file</c> does; curl asks for "100 Continue" first unless told not to.</summary>
    private async Task<(int Status, string Body)> CurlPartAsync(string uploadId, string path, string key, bool expectContinue)
    {
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-sS", "--max-time", "60", "-w", "\n%{http_code}", "-H", $"Authorization: Bearer {key}", "-F", $"data=@{path}" })
        {
            start.ArgumentList.Add(argument);
        }

        if (!expectContinue)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add("Expect:");
        }

        start.ArgumentList.Add(new Uri(_server.BaseAddress, $"uploads/{uploadId}/parts").AbsoluteUri);
        using var curl = Process.Start(start)!;
        var output = curl.StandardOutput.ReadToEndAsync();
        var errors = curl.StandardError.ReadToEndAsync();
        await curl.WaitForExitAsync();
        Assert.True(curl.ExitCode == 0, $"curl failed ({curl.ExitCode}): {await errors}");
        var text = await output;
        var lastLine = text.LastIndexOf('\n');
        return (int.Parse(text[(lastLine + 1)..], System.Globalization.CultureInfo.InvariantCulture), text[..lastLine]);
    }

    private static JsonElement ErrorOf(string body)
    {
        var root = JsonDocument.Parse(body).RootElement;
        Assert.Equal(["error"], root.EnumerateObject().Select(p => p.Name));
        return root.GetProperty("error").Clone();
    }

    private async Task AssertNothingStoredAsync(HttpClient client, string uploadId, int allowedParts = 0)
    {
        var parts = await (await client.GetAsync($"uploads/{uploadId}/parts")).ShouldSucceedAsync();
        Assert.Equal(allowedParts, parts.GetProperty("data").GetArrayLength());
        Assert.Empty(_server.TemporaryFiles());
    }

    private sealed class TemporaryFile : IDisposable
    {
        public TemporaryFile(int bytes)
        {
            Path = System.IO.Path.GetTempFileName();
            File.WriteAllBytes(Path, new byte[bytes]);
        }

        public string Path { get; }

        public void Dispose() => File.Delete(Path);
    }
}

/// <summary>A keyed server whose parts and files may hold at most 4 MiB, and which drains at most 64 MiB of a refused body.</summary>
public sealed class SmallPartServer : IAsyncLifetime
{
    public const int MaxPartBytes = 4 << 20;
    public const long MaxDrainBytes = 64 << 20;

    public TesseraTestServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await TesseraTestServer.StartAsync(settings: new Dictionary<string, string>
    {
        ["Tessera:Limits:MaxPartBytes"] = MaxPartBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Tessera:Limits:MaxFileBytes"] = MaxPartBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Tessera:Limits:MaxDrainBytes"] = MaxDrainBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
