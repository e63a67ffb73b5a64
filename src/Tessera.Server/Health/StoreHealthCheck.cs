using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry;
using Tessera.Server.Http;
using Tessera.Storage;

namespace Tessera.Server.Health;

/// <summary>
/// One store's health: its own check (<see cref="IMetadataStore.CheckHealthAsync"/>,
/// <see cref="IBlobStore.CheckHealthAsync"/>), run within a deadline, its failure turned into an unhealthy result
/// whose description says why in words an operator can act on. ASP.NET Core's health check service logs each
/// unhealthy result with that description, so the checks do not log it again.
/// </summary>
internal abstract class StoreHealthCheck(StoreKind store, ILogger logger) : IHealthCheck
{
    /// <summary>A store that has not answered by then counts as unavailable: a health check must not hang.</summary>
    internal static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    private string Name => ErrorEnvelopeMiddleware.StoreName(store);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Deadline);
        try
        {
            // WaitAsync as well: a store that ignores its token must not hold the answer either. The probe's store calls
            // are not traced, like the probe's request.
            using (SuppressInstrumentationScope.Begin())
            {
                await ProbeAsync(deadline.Token).WaitAsync(deadline.Token);
            }
            return HealthCheckResult.Healthy(data: Details());
        }
        catch (StorageException failure)
        {
            return HealthCheckResult.Unhealthy(failure.Message, data: Details());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The {Name} store did not answer within {Deadline.TotalSeconds:0} s.", data: Details());
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The exception's own message may say more than a caller without a key should read.
            logger.HealthCheckFailed(exception, Name);
            return HealthCheckResult.Unhealthy($"The {Name} store failed its check unexpectedly; the server's log says why.", data: Details());
        }
    }

    /// <summary>The store's own check: throws <see cref="StorageException"/> when it cannot be used.</summary>
    protected abstract Task ProbeAsync(CancellationToken cancellationToken);

    /// <summary>What the report adds to the store's state, whatever it is; none by default.</summary>
    protected virtual IReadOnlyDictionary<string, object> Details() => HealthReportWriter.NoDetails;
}
