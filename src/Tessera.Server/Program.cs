using Microsoft.Extensions.Options;
using Tessera.Server.Hosting;
using Tessera.Server.Scrubbing;

if (ScrubCommand.IsRequested(args))
{
    return await ScrubCommand.RunAsync(args[1..], Console.Out, Console.Error);
}

// Start-up order: settings validated (Build), data folder locked and port bound (StartAsync), then the database
// migrated and reconciled (hosted services' StartedAsync). A failure on the way prints a few lines and an exit code.
WebApplication? app = null;
try
{
    app = TesseraApp.Build(args);
    await app.StartAsync();
}
catch (Exception exception)
{
    if (app is not null)
    {
        // Flushes what was logged so far and releases the data folder.
        await app.DisposeAsync();
    }

    return StartupFailures.Report(exception, Console.Error, StartupFailures.DetailsRequested(args));
}

await using (app)
{
    var grace = TimeSpan.FromSeconds(app.Services.GetRequiredService<IOptions<TesseraOptions>>().Value.ShutdownGraceSeconds);
    await GracefulShutdown.RunUntilStoppedAsync(app, grace, CancellationToken.None);
}

return 0;
