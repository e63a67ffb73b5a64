using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Tessera.Cli.Http;

/// <summary>
/// <c>--debug</c>: every attempt's request line and headers, and the response's status and headers, on standard error.
/// The API key is masked. Bodies are not printed: a part or a file is streamed and can be gigabytes.
/// </summary>
internal sealed class DebugLoggingHandler(TextWriter log) : DelegatingHandler
{
    private static readonly string[] SecretHeaders = ["Authorization", "api-key", "x-api-key", "Cookie", "Set-Cookie"];

    // Parts go up in parallel: one report at a time keeps their lines apart.
    private readonly SemaphoreSlim _gate = new(1, 1);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var report = new StringBuilder();
        report.Append("Request: ").Append(request.Method).Append(' ').Append(request.RequestUri).AppendLine();
        AppendHeaders(report, request.Headers);
        if (request.Content is not null)
        {
            AppendHeaders(report, request.Content.Headers);
        }

        await WriteAsync(report.ToString(), cancellationToken);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
            report.Clear();
            report.Append("Response: ").Append((int)response.StatusCode).Append(' ').Append(response.ReasonPhrase)
                .Append(" (").Append(elapsed).Append(" ms)").AppendLine();
            AppendHeaders(report, response.Headers);
            AppendHeaders(report, response.Content.Headers);
            await WriteAsync(report.ToString(), cancellationToken);
            return response;
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            await WriteAsync($"Request failed: {exception.Message}{Environment.NewLine}", cancellationToken);
            throw;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gate.Dispose();
        }

        base.Dispose(disposing);
    }

    private static void AppendHeaders(StringBuilder report, HttpHeaders headers)
    {
        foreach (var (name, values) in headers)
        {
            var value = string.Join(", ", values);
            report.Append("  ").Append(name).Append(": ").AppendLine(IsSecret(name) ? Mask(value) : value);
        }
    }

    private static bool IsSecret(string header) => SecretHeaders.Contains(header, StringComparer.OrdinalIgnoreCase);

    // Keeps the scheme ("Bearer"), which helps debugging, and nothing of the key.
    private static string Mask(string value) => value.Split(' ', 2) is [var scheme, _] ? $"{scheme} <redacted>" : "<redacted>";

    private async Task WriteAsync(string text, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await log.WriteAsync(text);
            await log.FlushAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }
}
