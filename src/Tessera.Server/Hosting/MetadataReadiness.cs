namespace Tessera.Server.Hosting;

/// <summary>
/// Completes when the metadata store is ready. Requests that arrive between the port being bound and the schema
/// being migrated wait for it, and so does the sweeper's first round.
/// </summary>
public sealed class MetadataReadiness
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    /// <summary>Waits until the store is ready; throws what the initialisation threw if it failed.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    internal void MarkReady() => _ready.TrySetResult();

    internal void MarkFailed(Exception exception) => _ready.TrySetException(exception);

    /// <summary>Endpoint metadata of an endpoint that touches no store (<c>/livez</c>), so the gate lets it through at once.</summary>
    public static readonly object NotNeeded = new NotNeededMarker();

    /// <summary>The first middleware: holds a request until the store is ready (a completed check once it is).</summary>
    internal static Func<HttpContext, RequestDelegate, Task> Gate(MetadataReadiness readiness) =>
        (context, next) => readiness.IsReady || context.GetEndpoint()?.Metadata.GetMetadata<NotNeededMarker>() is not null
            ? next(context)
            : WaitThenContinueAsync(readiness, context, next);

    private static async Task WaitThenContinueAsync(MetadataReadiness readiness, HttpContext context, RequestDelegate next)
    {
        await readiness.WaitAsync(context.RequestAborted);
        await next(context);
    }

    private sealed class NotNeededMarker;
}
