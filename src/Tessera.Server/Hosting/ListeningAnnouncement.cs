using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging.Console;

namespace Tessera.Server.Hosting;

/// <summary>
/// "Now listening on: ..." is said once the server can serve: its addresses bound and checked, and the metadata store
/// ready (<see cref="MetadataInitializer"/>). ASP.NET Core says it under <c>Microsoft.Hosting.Lifetime</c> as soon as
/// the port is bound, before the store is opened, so a server whose database was unreachable said it was listening
/// and then that it could not start. That category's information lines are not written: the others it has
/// ("Application started", "Application is shutting down") Tessera says in its own words (<see cref="GracefulShutdown"/>).
/// </summary>
internal static class ListeningAnnouncement
{
    public const string HostingLifetimeCategory = "Microsoft.Hosting.Lifetime";

    public const string Category = "Tessera.Server.Lifetime";

    public static void SuppressHostingLines(ILoggingBuilder logging)
    {
        // As HostingRequestLines does: added after the settings' rules, so each wins the tie with a setting for the
        // same category, for every provider and for the console's own.
        logging.AddFilter(HostingLifetimeCategory, LogLevel.Warning);
        logging.AddFilter<ConsoleLoggerProvider>(HostingLifetimeCategory, LogLevel.Warning);
    }

    /// <summary>Logs each address the server listens on, the management port's included.</summary>
    public static void Announce(IServer server, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(Category);
        foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            logger.ListeningOn(address);
        }
    }
}
