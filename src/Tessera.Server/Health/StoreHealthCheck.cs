using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry;
using Tessera.Server.Http;
using Tessera.Storage;

namespace Tessera.Server.Health;

/// <summary>
/// One store's health: its own check (<see cref="IMetadataStore.CheckHealthAsync"/>,
/// <see cref="IBlobStore.CheckHealthAsync"/>), run within a deadline and at most once per <see cref="ProbeInterval"/>
/// however often <c>/healthz</c> is asked (each is a real write). Anyone may ask, so the report says only whether the
/// store can be used, in a fixed sentence; why not (a path, a host name, the store's own words) goes to the log.
/// </summary>
internal abstract class StoreHealthCheck(StoreKind store, ILogger logger) : IHealthCheck
{
    /// <summary>A store that has not answered by then counts as unavailable: a health check must not hang.</summary>
    internal static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    /// <summary>Callers within this long of a probe's start share its outcome.</summary>
    internal static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private Task<string?>? _probe;
    private long _probeStarted;

    private string Name => ErrorEnvelopeMiddleware.StoreName(store);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problem = await LatestProbe().WaitAsync(cancellationToken);
        return problem is null ? HealthCheckResult.Healthy(data: Details()) : HealthCheckResult.Unhealthy(problem, data: Details());
    }

    /// <summary>The store's own check: throws <see cref="StorageException"/> when it cannot be used.</summary>
    protected abstract Task ProbeAsync(CancellationToken cancellationToken);

    /// <summary>What the report adds to the store's state, whatever it is; none by default.</summary>
    protected virtual IReadOnlyDictionary<string, object> Details() => HealthReportWriter.NoDetails;

    /// <summary>The probe in flight or finished within the interval, else a new one.</summary>
    private Task<string?> LatestProbe()
    {
        lock (_gate)
        {
            if (_probe is null || Stopwatch.GetElapsedTime(_probeStarted) >= ProbeInterval)
            {
                _probeStarted = Stopwatch.GetTimestamp();
                _probe = ProbeOnceAsync();
            }

            return _probe;
        }
    }

    /// <summary>Runs the probe, not bound to any one caller; answers null when the store can be used, else what the report says.</summary>
    private async Task<string?> ProbeOnceAsync()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            // WaitAsync as well: a store that ignores its token must not hold the answer either. The probe's store calls
            // are not traced, like the probe's request.
            using (SuppressInstrumentationScope.Begin())
            {
                await ProbeAsync(deadline.Token).WaitAsync(deadline.Token);
            }

            return null;
        }
        catch (StorageException failure)
        {
            logger.StoreFailedHealthCheck(Name, failure.Message);
            return $"The {Name} store cannot be used; the server's log says why.";
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            logger.StoreFailedHealthCheck(Name, $"it did not answer within {Deadline.TotalSeconds:0} s");
            return $"The {Name} store did not answer within {Deadline.TotalSeconds:0} s.";
        }
        catch (Exception exception)
        {
            logger.HealthCheckFailed(exception, Name);
            return $"The {Name} store failed its check unexpectedly; the server's log says why.";
        }
    }
}
