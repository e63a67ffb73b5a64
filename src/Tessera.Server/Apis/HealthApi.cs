using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Tessera.Server.Health;
using Tessera.Server.Hosting;

namespace Tessera.Server.Apis;

/// <summary>
/// The health endpoints, on ASP.NET Core's health checks; both need no key.
/// <c>GET /healthz</c> (readiness): 200 when the metadata store and the blob store can both be used, 503 when either
/// cannot; the body names each store and its state (<see cref="HealthReportWriter"/>).
/// <c>GET /livez</c> (liveness): 200 while the process runs; it touches no store, so an orchestrator does not restart a
/// server whose database is down, which a restart would not mend.
/// </summary>
public static class HealthApi
{
    public const string ReadinessPath = "/healthz";
    public const string LivenessPath = "/livez";

    /// <summary>Whether the request asks <c>/healthz</c> or <c>/livez</c>.</summary>
    public static bool IsProbe(HttpRequest request) =>
        request.Path.Equals(ReadinessPath, StringComparison.OrdinalIgnoreCase) || request.Path.Equals(LivenessPath, StringComparison.OrdinalIgnoreCase);

    /// <summary>The tag of the checks <c>/healthz</c> runs.</summary>
    public const string StoreTag = "store";

    /// <summary>Registers one check per store; singletons, since each remembers its last probe (StoreHealthCheck.ProbeInterval).</summary>
    public static IServiceCollection AddStoreHealthChecks(this IServiceCollection services)
    {
        services.AddSingleton<MetadataHealthCheck>();
        services.AddSingleton<BlobsHealthCheck>();
        services.AddHealthChecks()
            .AddCheck<MetadataHealthCheck>(MetadataHealthCheck.Name, tags: [StoreTag])
            .AddCheck<BlobsHealthCheck>(BlobsHealthCheck.Name, tags: [StoreTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(StoreTag),
            ResponseWriter = HealthReportWriter.WriteAsync,
        }).WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));

        app.MapHealthChecks(LivenessPath, new HealthCheckOptions
        {
            Predicate = static _ => false,
            ResponseWriter = HealthReportWriter.WriteAsync,
        }).WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]), MetadataReadiness.NotNeeded);
        return app;
    }
}
