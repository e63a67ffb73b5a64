using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Tessera.Server.Hosting;

/// <summary>
/// Checks the addresses Kestrel really bound, whatever configured them (<c>urls</c>, <c>Kestrel:Endpoints</c> in any
/// settings source): open mode on an address that is not loopback stops the server (exit code 2) unless
/// <c>Tessera:AllowOpenModeOnNetwork</c>. No request gets through (<see cref="Gate"/>), not even <c>/livez</c>,
/// until the check has passed. In open mode, logs the addresses bound.
/// </summary>
/// <remarks>Runs in <see cref="StartedAsync"/>, after Kestrel bound, and before the metadata store is initialised.</remarks>
internal sealed class BoundAddressCheck(IServer server, IOptions<TesseraOptions> options, ILogger<BoundAddressCheck> logger) : IHostedLifecycleService
{
    private readonly TaskCompletionSource _passed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var bound = server.Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        try
        {
            OpenModeExposure.EnsureOnLoopback(options.Value, bound);
        }
        catch (StartupException refused)
        {
            _passed.TrySetException(refused);
            throw;
        }

        if (options.Value.IsOpenMode)
        {
            logger.OpenMode(string.Join(", ", bound));
        }

        _passed.TrySetResult();
        return Task.CompletedTask;
    }

    /// <summary>The first middleware: holds a request until the bound addresses are checked; drops it if they were refused.</summary>
    internal static Func<HttpContext, RequestDelegate, Task> Gate(BoundAddressCheck check) =>
        (context, next) => check._passed.Task.IsCompletedSuccessfully ? next(context) : check.WaitThenContinueAsync(context, next);

    private async Task WaitThenContinueAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await _passed.Task.WaitAsync(context.RequestAborted);
        }
        catch (StartupException)
        {
            // The server is stopping: this request reached an address it must not serve.
            context.Abort();
            return;
        }

        await next(context);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
