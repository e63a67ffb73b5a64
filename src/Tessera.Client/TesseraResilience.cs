using System.Globalization;
using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;

namespace Tessera.Client;

/// <summary>
/// The retry and timeout pipeline every request goes through, built on Microsoft.Extensions.Http.Resilience (Polly):
/// exponential backoff with jitter, the server's <c>retry-after-ms</c>/<c>Retry-After</c> honoured, and each attempt
/// bounded by <see cref="TesseraClientOptions.AttemptTimeout"/>.
/// </summary>
internal static class TesseraResilience
{
    /// <summary>Marks a request whose body cannot be sent twice (it streams from standard input): it is never retried.</summary>
    public static readonly HttpRequestOptionsKey<bool> NotReplayable = new("Tessera.NotReplayable");

    // The OpenAI SDKs honour a server's delay only up to a minute; longer ones fall back to the backoff.
    private static readonly TimeSpan LongestServerDelay = TimeSpan.FromSeconds(60);

    public static ResiliencePipeline<HttpResponseMessage> Build(TesseraClientOptions options)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        Configure(builder, options);
        return builder.Build();
    }

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, TesseraClientOptions options)
    {
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context)),
                DelayGenerator = args => ValueTask.FromResult(ServerRequestedDelay(args.Outcome.Result)),
            });
        }

        // Inside the retry, so it bounds each attempt, not the whole.
        builder.AddTimeout(options.AttemptTimeout);
    }

    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        if (context.GetRequestMessage() is { } request && request.Options.TryGetValue(NotReplayable, out var notReplayable) && notReplayable)
        {
            return false;
        }

        if (outcome.Exception is { } exception)
        {
            // The caller's own cancellation is not a failure to retry; a timed-out attempt or a dropped connection is.
            return exception is HttpRequestException or TimeoutRejectedException or IOException && !context.CancellationToken.IsCancellationRequested;
        }

        var response = outcome.Result!;
        if (response.Headers.TryGetValues("x-should-retry", out var values))
        {
            // The OpenAI SDKs obey this header over the status (Tessera sends "false" with a final 5xx such as quota_exceeded).
            var verdict = values.FirstOrDefault();
            if (string.Equals(verdict, "true", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (string.Equals(verdict, "false", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        var status = (int)response.StatusCode;
        return response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || status >= 500;
    }

    /// <summary>The delay the server asked for, from <c>retry-after-ms</c> or <c>Retry-After</c>; null to use the backoff.</summary>
    internal static TimeSpan? ServerRequestedDelay(HttpResponseMessage? response)
    {
        if (response is null)
        {
            return null;
        }

        TimeSpan? delay = null;
        if (response.Headers.TryGetValues("retry-after-ms", out var milliseconds)
            && double.TryParse(milliseconds.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms))
        {
            delay = TimeSpan.FromMilliseconds(ms);
        }
        else if (response.Headers.RetryAfter is { } retryAfter)
        {
            delay = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        }

        return delay is { } wanted && wanted >= TimeSpan.Zero && wanted <= LongestServerDelay ? wanted : null;
    }
}
