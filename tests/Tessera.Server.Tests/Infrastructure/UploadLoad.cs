using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// Clients uploading small files in a loop, one part at a time, as a well-behaved client does: whatever is refused
/// with 503 <c>service_unavailable</c> is sent again a moment later. Every answer is recorded with how long it took;
/// any other answer than 200 or that 503, or an answer that never comes, stops the load with the reason.
/// </summary>
public sealed class UploadLoad
{
    public const int PartsPerFile = 3;
    private const int PartBytes = 4096;

    /// <summary>How long a client keeps sending one request again before it gives up (the store never came back).</summary>
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentQueue<Answer> _answers = new();
    private readonly ConcurrentQueue<StoredFile> _files = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;

    private UploadLoad(IReadOnlyList<HttpClient> clients, CancellationToken cancellationToken) =>
        _workers = [.. clients.Select((client, i) => Task.Run(() => UploadFilesAsync(client, clients[(i + 1) % clients.Count], cancellationToken), cancellationToken))];

    /// <summary>Every answer received so far, in the order they came.</summary>
    public IReadOnlyList<Answer> Answers => [.. _answers];

    /// <summary>The files completed so far with the bytes that went into them, in acknowledged parts.</summary>
    public IReadOnlyList<StoredFile> Files => [.. _files];

    /// <summary>Starts one uploading client per entry of <paramref name="clients"/>; each completes on the next client's node.</summary>
    public static UploadLoad Start(IReadOnlyList<HttpClient> clients, CancellationToken cancellationToken) => new(clients, cancellationToken);

    /// <summary>Waits until <paramref name="condition"/> holds, failing the test after <paramref name="within"/> or when a client failed.</summary>
    public async Task WaitUntilAsync(Func<UploadLoad, bool> condition, TimeSpan within, string what, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!condition(this))
        {
            if (_workers.FirstOrDefault(worker => worker.IsFaulted) is { } failed)
            {
                await failed;
            }

            Assert.True(clock.Elapsed < within, $"{what} did not happen within {within.TotalSeconds} s");
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Lets every client finish the file it is on, then waits for all of them; rethrows a client's failure.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    private async Task UploadFilesAsync(HttpClient client, HttpClient completer, CancellationToken cancellationToken)
    {
        while (!_stop.IsCancellationRequested)
        {
            var parts = Enumerable.Range(0, PartsPerFile).Select(_ => Api.RandomBytes(PartBytes)).ToArray();
            var upload = await UntilAcceptedAsync("create", () => client.PostAsJsonAsync("uploads",
                new { filename = "load.bin", purpose = "assistants", bytes = PartsPerFile * PartBytes, mime_type = "application/octet-stream" }, cancellationToken), cancellationToken);
            var uploadId = upload.Id();
            var partIds = new List<string>();
            foreach (var part in parts)
            {
                partIds.Add((await UntilAcceptedAsync("part", () => client.PostAsync($"uploads/{uploadId}/parts", Api.PartForm(part), cancellationToken), cancellationToken)).Id());
            }

            // Every part acknowledged is listed, whichever node is asked.
            var listing = await UntilAcceptedAsync("list", () => completer.GetAsync($"uploads/{uploadId}/parts", cancellationToken), cancellationToken);
            Assert.Subset(listing.GetProperty("data").EnumerateArray().Select(part => part.Id()).ToHashSet(), partIds.ToHashSet());

            var completed = await UntilAcceptedAsync("complete", () => completer.PostCompleteAsync(uploadId, partIds), cancellationToken);
            _files.Enqueue(new StoredFile(completed.GetProperty("file").Id(), [.. parts.SelectMany(part => part)]));
        }
    }

    /// <summary>Sends the request until it is answered 200, recording each answer; fails on any other answer.</summary>
    private async Task<JsonElement> UntilAcceptedAsync(string request, Func<Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        var trying = Stopwatch.StartNew();
        while (true)
        {
            var clock = Stopwatch.StartNew();
            HttpResponseMessage response;
            try
            {
                response = await send();
            }
            catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{request}: no answer within the client's timeout ({clock.Elapsed.TotalSeconds:0.0} s)", exception);
            }

            using (response)
            {
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    _answers.Enqueue(new Answer(request, response.StatusCode, clock.Elapsed));
                    return await response.ShouldSucceedAsync();
                }

                var error = await response.ShouldFailAsync(HttpStatusCode.ServiceUnavailable, param: null, code: "service_unavailable", type: "server_error");
                Assert.Equal("true", response.Headers.TryGetValues("x-should-retry", out var retry) ? retry.Single() : null);
                _answers.Enqueue(new Answer(request, response.StatusCode, clock.Elapsed, error.GetProperty("message").GetString()));
            }

            Assert.True(trying.Elapsed < GiveUpAfter, $"{request}: still refused after {GiveUpAfter.TotalSeconds} s");
            await Task.Delay(RetryDelay, cancellationToken);
        }
    }

    /// <summary>One answer: to which request, its status, how long it took, and a refusal's message.</summary>
    public sealed record Answer(string Request, HttpStatusCode Status, TimeSpan Elapsed, string? Message = null);

    /// <summary>A completed file and the bytes of the parts it was completed with, in order.</summary>
    public sealed record StoredFile(string Id, byte[] Content);
}
