using System.Collections.Concurrent;

namespace Tessera.Console.Tests.Infrastructure;

/// <summary>
/// The API requests the page itself sent, as Chromium saw them leave (method, path, and the CRC32C header when there
/// was one), and the answers it got, so a test can say what the page asked the server, not only what arrived.
/// </summary>
internal sealed class PageRequests
{
    private readonly ConcurrentQueue<Sent> _sent = new();
    private readonly ConcurrentQueue<Task<Answered>> _answered = new();

    public PageRequests(IPage page)
    {
        page.Request += (_, request) =>
        {
            if (PathOf(request.Url) is { } path)
            {
                _sent.Enqueue(new Sent(request.Method, path, request.Headers.GetValueOrDefault("x-tessera-checksum-crc32c")));
            }
        };
        page.Response += (_, response) =>
        {
            if (PathOf(response.Url) is { } path)
            {
                _answered.Enqueue(AnsweredAsync(response, path));
            }
        };
    }

    public IReadOnlyList<Sent> All => [.. _sent];

    /// <summary>Every part request (<c>POST .../uploads/{id}/parts</c>) of <paramref name="uploadId"/>.</summary>
    public IReadOnlyList<Sent> PartsOf(string uploadId) =>
        [.. _sent.Where(request => request.Method == "POST" && request.Path.EndsWith($"/uploads/{uploadId}/parts", StringComparison.Ordinal))];

    /// <summary>The complete requests of <paramref name="uploadId"/>.</summary>
    public IReadOnlyList<Sent> CompletesOf(string uploadId) =>
        [.. _sent.Where(request => request.Method == "POST" && request.Path.EndsWith($"/uploads/{uploadId}/complete", StringComparison.Ordinal))];

    /// <summary>The answers the page received, with their status and body (bodies of error answers only).</summary>
    public async Task<IReadOnlyList<Answered>> AnswersAsync() => await Task.WhenAll(_answered);

    private static string? PathOf(string url) =>
        new Uri(url).AbsolutePath is { } path && path.StartsWith("/v1/", StringComparison.Ordinal) ? path : null;

    private static async Task<Answered> AnsweredAsync(IResponse response, string path)
    {
        var body = string.Empty;
        if (response.Status >= 400)
        {
            try
            {
                body = await response.TextAsync();
            }
            catch (PlaywrightException)
            {
                // A body Chromium no longer holds: the status still says what happened.
            }
        }

        return new Answered(response.Request.Method, path, response.Status, body);
    }

    public sealed record Sent(string Method, string Path, string? Crc32C);

    public sealed record Answered(string Method, string Path, int Status, string Body);
}
