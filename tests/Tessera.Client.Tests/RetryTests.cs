using System.Diagnostics;
using System.Net;
using Tessera.Client.Tests.Infrastructure;
using Tessera.Contracts;

namespace Tessera.Client.Tests;

/// <summary>Which answers the client retries, counted on the server's side.</summary>
public sealed class RetryTests : IAsyncLifetime
{
    private readonly ServerSideRecorder _recorder = new();
    private TesseraTestServer _server = null!;
    private TesseraClient _client = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static CreateUploadRequest SomeUpload => new() { Filename = "r.txt", Purpose = "batch", Bytes = 1, MimeType = "text/plain" };

    public async ValueTask InitializeAsync()
    {
        _server = await _recorder.StartServerAsync();
        _client = new TesseraClient(new TesseraClientOptions
        {
            BaseUrl = _server.BaseAddress.ToString(),
            ApiKey = TesseraTestServer.KeyA,
            UseEnvironment = false,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        });
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_server_that_answers_503_twice_and_then_200_is_retried_until_it_succeeds()
    {
        _recorder.Intercept = Faults.FailFirst(2, "POST", "/uploads", status: 503);

        var upload = await _client.Uploads.CreateAsync(SomeUpload, Token);

        Assert.Equal(UploadStatuses.Pending, upload.Status);
        Assert.Equal(3, _recorder.Count("POST", "/uploads"));
    }

    [Fact]
    public async Task A_server_that_keeps_answering_503_fails_after_the_retries_with_the_503()
    {
        _recorder.Intercept = Faults.FailFirst(int.MaxValue, "POST", "/uploads", status: 503);

        var error = await Assert.ThrowsAsync<TesseraApiException>(() => _client.Uploads.CreateAsync(SomeUpload, Token));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.Status);
        Assert.Equal(3, _recorder.Count("POST", "/uploads"));
    }

    [Fact]
    public async Task A_wrapped_transport_sees_every_attempt()
    {
        _recorder.Intercept = Faults.FailFirst(2, "POST", "/uploads", status: 503);
        var seen = new List<int>();
        using var client = new TesseraClient(new TesseraClientOptions
        {
            BaseUrl = _server.BaseAddress.ToString(),
            ApiKey = TesseraTestServer.KeyA,
            UseEnvironment = false,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            WrapTransport = transport => new StatusLog(seen) { InnerHandler = transport },
        });

        await client.Uploads.CreateAsync(SomeUpload, Token);

        Assert.Equal([503, 503, 200], seen);
    }

    [Fact]
    public async Task A_400_is_not_retried()
    {
        await Assert.ThrowsAsync<TesseraApiException>(() => _client.Uploads.CreateAsync(SomeUpload with { Purpose = "nope" }, Token));

        Assert.Equal(1, _recorder.Count("POST", "/uploads"));
    }

    [Fact]
    public async Task A_final_5xx_marked_x_should_retry_false_is_not_retried()
    {
        _recorder.Intercept = Faults.FailFirst(int.MaxValue, "POST", "/uploads", status: 507, headers: r => r.Headers["x-should-retry"] = "false");

        var error = await Assert.ThrowsAsync<TesseraApiException>(() => _client.Uploads.CreateAsync(SomeUpload, Token));

        Assert.Equal(HttpStatusCode.InsufficientStorage, error.Status);
        Assert.Equal(1, _recorder.Count("POST", "/uploads"));
    }

    [Fact]
    public async Task A_429_is_retried_after_the_delay_the_server_asks_for_in_retry_after_ms()
    {
        _recorder.Intercept = Faults.FailFirst(1, "POST", "/uploads", status: 429, headers: r => r.Headers["retry-after-ms"] = "400");
        var clock = Stopwatch.StartNew();

        await _client.Uploads.CreateAsync(SomeUpload, Token);

        Assert.Equal(2, _recorder.Count("POST", "/uploads"));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(350), $"retried after {clock.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_file_body_read_from_a_stream_that_cannot_seek_is_sent_once_and_not_retried()
    {
        _recorder.Intercept = Faults.FailFirst(int.MaxValue, "POST", "/files", status: 503);

        var error = await Assert.ThrowsAsync<TesseraApiException>(() => _client.Files.CreateAsync(new NonSeekableStream([1, 2, 3]), "stdin", "batch", cancellationToken: Token));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.Status);
        Assert.Equal(1, _recorder.Count("POST", "/files"));
    }

    [Fact]
    public async Task A_file_body_from_a_seekable_stream_is_sent_again_whole_after_a_503()
    {
        _recorder.Intercept = Faults.FailFirst(1, "POST", "/files", status: 503);

        var file = await _client.Files.CreateAsync(new MemoryStream([1, 2, 3, 4]), "seekable.bin", "batch", cancellationToken: Token);

        Assert.Equal(4, file.Bytes);
        Assert.Equal(2, _recorder.Count("POST", "/files"));
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_surfaces_as_HttpRequestException_not_as_an_api_error()
    {
        using var nowhere = new TesseraClient(new TesseraClientOptions
        {
            BaseUrl = "http://127.0.0.1:1/v1",
            ApiKey = "k",
            UseEnvironment = false,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        });

        await Assert.ThrowsAsync<HttpRequestException>(() => nowhere.Files.ListAsync(cancellationToken: Token));
    }

    private sealed class StatusLog(List<int> seen) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            seen.Add((int)response.StatusCode);
            return response;
        }
    }
}
