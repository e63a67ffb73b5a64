using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Tessera.Domain;

namespace Tessera.Server.Http;

/// <summary>
/// Each project's limits on this node (<c>Tessera:RateLimits</c>, <c>Tessera:Projects:N:RateLimits</c>), with ASP.NET
/// Core's rate limiting: requests a second in a token bucket for every API request, and parts received at once on the
/// add-part route. Nothing queues: a request past a limit is answered 429 at once, and a part's body is not stored
/// (<see cref="RequestBodyMiddleware"/> drains or leaves it as for any refusal). Each partition's key holds the limit
/// it was made with, so a limit changed in the settings makes a new partition with the new limit; the old one is
/// dropped once idle.
/// </summary>
internal static class ProjectRateLimiting
{
    /// <summary>The policy of the add-part route.</summary>
    public const string ConcurrentPartsPolicy = "concurrent-parts";

    /// <summary>What a refusal asks the client to wait when the limiter does not know better (a concurrency limit).</summary>
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    public static IServiceCollection AddProjectRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<ProjectKeys>((limiter, keys) =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, LimitKey>(http => RequestsPerSecond(http, keys));
            limiter.OnRejected = RefuseRequestAsync;
            limiter.AddPolicy(ConcurrentPartsPolicy, new ConcurrentPartsPolicyOf(keys));
        });
        return services;
    }

    /// <summary>A project's bucket holds one second's requests and refills each second; no project (health), no limit.</summary>
    private static RateLimitPartition<LimitKey> RequestsPerSecond(HttpContext http, ProjectKeys keys)
    {
        if (http.CallerProjectOrNull() is not { } project || keys.RateLimitsOf(project).RequestsPerSecond is not { } perSecond)
        {
            return RateLimitPartition.GetNoLimiter(default(LimitKey));
        }

        return RateLimitPartition.GetTokenBucketLimiter(new LimitKey(project, perSecond), key => new TokenBucketRateLimiterOptions
        {
            TokenLimit = key.Limit,
            TokensPerPeriod = key.Limit,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static ValueTask RefuseRequestAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var project = context.HttpContext.CallerProject();
        var perSecond = context.HttpContext.RequestServices.GetRequiredService<ProjectKeys>().RateLimitsOf(project).RequestsPerSecond;
        throw Refusal(context, $"project {project} may send {perSecond} {(perSecond == 1 ? "request" : "requests")} a second to this server");
    }

    /// <summary>
    /// Sets the headers that tell a client when to retry (the official SDKs wait as told), then throws the error for
    /// <see cref="ErrorEnvelopeMiddleware"/> to answer, as for every other refusal.
    /// </summary>
    private static TesseraException Refusal(OnRejectedContext context, string what)
    {
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) && wait > TimeSpan.Zero ? wait : DefaultRetryAfter;
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        var response = context.HttpContext.Response;
        response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers[ErrorEnvelopeMiddleware.ShouldRetryHeader] = "true";
        return ApiErrors.RateLimited(what, seconds);
    }

    /// <summary>A project's partition, and the limit it was made with.</summary>
    private readonly record struct LimitKey(string Project, int Limit);

    /// <summary>At most the project's <c>ConcurrentParts</c> parts being received at once on this node.</summary>
    private sealed class ConcurrentPartsPolicyOf(ProjectKeys keys) : IRateLimiterPolicy<LimitKey>
    {
        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = RefusePartAsync;

        public RateLimitPartition<LimitKey> GetPartition(HttpContext httpContext)
        {
            if (httpContext.CallerProjectOrNull() is not { } project || keys.RateLimitsOf(project).ConcurrentParts is not { } parts)
            {
                return RateLimitPartition.GetNoLimiter(default(LimitKey));
            }

            return RateLimitPartition.GetConcurrencyLimiter(new LimitKey(project, parts), key => new ConcurrencyLimiterOptions
            {
                PermitLimit = key.Limit,
                QueueLimit = 0,
            });
        }

        private static ValueTask RefusePartAsync(OnRejectedContext context, CancellationToken cancellationToken)
        {
            var project = context.HttpContext.CallerProject();
            var parts = context.HttpContext.RequestServices.GetRequiredService<ProjectKeys>().RateLimitsOf(project).ConcurrentParts;
            throw Refusal(context, $"project {project} may send {parts} {(parts == 1 ? "part" : "parts")} at once to this server");
        }
    }
}
