using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Tessera.Storage;

namespace Tessera.Server.Hosting;

/// <summary>
/// Turns what stopped the server at start-up into a few lines on standard error and an exit code: 2 for a bad
/// setting, 3 for an environment that does not allow what the settings ask, 1 for anything unexpected (which keeps
/// its stack trace, being a bug). <c>Tessera:DetailedStartupErrors=true</c> adds the stack trace to the others.
/// </summary>
public static class StartupFailures
{
    public const string DetailedErrorsSetting = "Tessera:DetailedStartupErrors";

    /// <summary>The known start-up failure that <paramref name="exception"/> is, or null when it is unexpected.</summary>
    public static StartupException? Explain(Exception exception) => exception switch
    {
        StartupException known => known,
        OptionsValidationException invalid => new StartupException(StartupProblem.Configuration,
            string.Join(Environment.NewLine, invalid.Failures), invalid),
        IOException { InnerException: AddressInUseException or SocketException } bind => new StartupException(
            StartupProblem.Environment, $"urls: {bind.Message} Stop what holds it or choose another address with --urls.", bind),
        StoreUnavailableException unavailable => new StartupException(StartupProblem.Environment,
            $"{unavailable.Message} Check that it runs and that the connection settings reach it.", unavailable),
        InvalidDataException unreadableFile => new StartupException(StartupProblem.Configuration,
            $"{unreadableFile.Message} {unreadableFile.InnerException?.Message}".TrimEnd(), unreadableFile),
        AggregateException { InnerExceptions.Count: 1 } single => Explain(single.InnerExceptions[0]),
        _ => null,
    };

    /// <summary>Writes the failure to <paramref name="error"/> and returns the exit code.</summary>
    public static int Report(Exception exception, TextWriter error, bool detailed)
    {
        if (Explain(exception) is { } known)
        {
            foreach (var line in known.Message.Split(Environment.NewLine))
            {
                error.WriteLine($"Tessera cannot start: {line}");
            }

            if (detailed)
            {
                error.WriteLine(exception);
            }

            return known.ExitCode;
        }

        error.WriteLine($"Tessera failed to start unexpectedly: {exception}");
        return 1;
    }

    /// <summary>
    /// Whether <c>Tessera:DetailedStartupErrors</c> is true, read from the same sources as the server's settings
    /// (its <c>appsettings.json</c>, the environment, the command line), since they may be what failed to load.
    /// </summary>
    public static bool DetailsRequested(string[] args)
    {
        try
        {
            var configuration = new ConfigurationBuilder()
                .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
                .AddEnvironmentVariables()
                .AddCommandLine(args)
                .Build();
            return bool.TryParse(configuration[DetailedErrorsSetting], out var detailed) && detailed;
        }
        catch (Exception exception) when (exception is FormatException or IOException or InvalidDataException)
        {
            return false;
        }
    }
}
