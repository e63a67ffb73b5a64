using Microsoft.Extensions.Logging.Console;

namespace Tessera.Server.Logging;

/// <summary>
/// ASP.NET Core's own request lines ("Request starting ...", "Request finished ..." under
/// <c>Microsoft.AspNetCore.Hosting.Diagnostics</c>) say what the access line says, but with the URL's query as sent,
/// a key in <c>?api_key=</c> included. They are never written, whatever level the settings give that category: the
/// access line (<see cref="AccessLogMiddleware"/>) replaces them.
/// </summary>
internal static class HostingRequestLines
{
    public const string Category = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static void Suppress(ILoggingBuilder logging)
    {
        // Added after the settings' own rules, so each wins the tie with a setting for the same category, for every
        // provider and for the console's own.
        logging.AddFilter(Category, LogLevel.Warning);
        logging.AddFilter<ConsoleLoggerProvider>(Category, LogLevel.Warning);
    }
}
