using System.Collections.Concurrent;
using System.Diagnostics;

namespace Tessera.Server.Telemetry;

/// <summary>
/// One store call being observed: a span (when a tracer listens) carrying the request id, and its duration in the
/// store latency histogram (when a meter listener does). Callers check <see cref="IsObserved"/> first, so that with
/// telemetry off a store call costs one branch more.
/// </summary>
internal readonly struct StoreCall
{
    // A span's name for each store and operation, made once: most calls are not sampled and need no new string.
    private static readonly ConcurrentDictionary<(string Store, string Operation), string> SpanNames = new();

    private readonly TesseraMetrics _metrics;
    private readonly string _store;
    private readonly string _operation;
    private readonly Activity? _activity;
    private readonly long _started;

    private StoreCall(TesseraMetrics metrics, string store, string operation)
    {
        _metrics = metrics;
        _store = store;
        _operation = operation;
        _started = Stopwatch.GetTimestamp();
        if (TesseraTelemetry.Source.HasListeners())
        {
            _activity = TesseraTelemetry.Source.StartActivity(SpanNames.GetOrAdd((store, operation), static key => $"{key.Store} {key.Operation}"));
            if (_activity is { IsAllDataRequested: true })
            {
                _activity.SetTag(TesseraTelemetry.StoreAttribute, store);
                _activity.SetTag(TesseraTelemetry.OperationAttribute, operation);
                if (RequestIdOf(_activity.Parent) is { } requestId)
                {
                    _activity.SetTag(TesseraTelemetry.RequestIdAttribute, requestId);
                }
            }
        }
    }

    public static bool IsObserved(TesseraMetrics metrics) => metrics.StoreDurationEnabled || TesseraTelemetry.Source.HasListeners();

    public static StoreCall Start(TesseraMetrics metrics, string store, string operation) => new(metrics, store, operation);

    public static async Task ObserveAsync<TState>(TesseraMetrics metrics, string store, string operation, TState state, Func<TState, Task> call)
    {
        var observed = Start(metrics, store, operation);
        try
        {
            await call(state);
            observed.End(null);
        }
        catch (Exception exception)
        {
            observed.End(exception);
            throw;
        }
    }

    public static async Task<T> ObserveAsync<TState, T>(TesseraMetrics metrics, string store, string operation, TState state, Func<TState, Task<T>> call)
    {
        var observed = Start(metrics, store, operation);
        try
        {
            var result = await call(state);
            observed.End(null);
            return result;
        }
        catch (Exception exception)
        {
            observed.End(exception);
            throw;
        }
    }

    /// <summary>Records the duration and closes the span; a failure marks both with the exception's type.</summary>
    public void End(Exception? failure)
    {
        var errorType = failure?.GetType().Name;
        _metrics.StoreCallTook(_store, _operation, Stopwatch.GetElapsedTime(_started), errorType);
        if (_activity is not null)
        {
            if (errorType is not null)
            {
                _activity.SetStatus(ActivityStatusCode.Error, failure!.Message);
                _activity.SetTag(TesseraTelemetry.ReasonAttribute, errorType);
            }

            _activity.Dispose();
        }
    }

    /// <summary>The request id that <see cref="Http.RequestIdMiddleware"/> put on the request's server span, if any.</summary>
    private static string? RequestIdOf(Activity? activity)
    {
        for (; activity is not null; activity = activity.Parent)
        {
            if (activity.GetTagItem(TesseraTelemetry.RequestIdAttribute) is string requestId)
            {
                return requestId;
            }
        }

        return null;
    }
}
