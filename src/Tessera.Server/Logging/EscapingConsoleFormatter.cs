using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Tessera.Server.Logging;

/// <summary>
/// The console's plain-text format, laid out like ASP.NET Core's simple formatter (and set by its options,
/// <c>Logging:Console:FormatterOptions</c>), with two differences: every control character from the message, its
/// exception and its scopes is escaped (<see cref="LogEscaping"/>), so no request can forge a line or drive the
/// terminal whatever a log call passes; and of the scopes ASP.NET Core opens for a request only its <c>RequestId</c>
/// is written, once, and not when the event names the request itself. Written here rather than around every log
/// call so that no future call can miss it.
/// </summary>
internal sealed class EscapingConsoleFormatter(IOptionsMonitor<SimpleConsoleFormatterOptions> options) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "tessera";

    private const string RequestId = "RequestId";
    private const string Padding = "      ";

    // The hosting layer's and Kestrel's per-request scope values: trace ids belong to traces, the path is in the
    // access line, and each would be repeated on every line of the request.
    private static readonly HashSet<string> HiddenScopeValues = ["SpanId", "TraceId", "ParentId", "ConnectionId", "RequestPath"];

    /// <summary>
    /// Makes this formatter write every console line but JSON ones: <c>simple</c> (the default), <c>systemd</c> or
    /// an unknown name all mean it.
    /// </summary>
    public static void AddTo(ILoggingBuilder logging)
    {
        logging.AddConsoleFormatter<EscapingConsoleFormatter, SimpleConsoleFormatterOptions>();
        logging.Services.PostConfigure<ConsoleLoggerOptions>(console =>
        {
            if (!string.Equals(console.FormatterName, ConsoleFormatterNames.Json, StringComparison.OrdinalIgnoreCase))
            {
                console.FormatterName = FormatterName;
            }
        });
    }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        var settings = options.CurrentValue;
        if (settings.TimestampFormat is { } timestampFormat)
        {
            var now = settings.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now;
            textWriter.Write(now.ToString(timestampFormat, CultureInfo.InvariantCulture));
        }

        WriteLevel(textWriter, logEntry.LogLevel, UseColor(settings));
        textWriter.Write(": ");
        textWriter.Write(logEntry.Category);
        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture));
        textWriter.Write(']');
        var separator = settings.SingleLine ? " " : Environment.NewLine + Padding;
        if (settings.IncludeScopes && scopeProvider is not null)
        {
            WriteScopes(textWriter, scopeProvider, NamesRequestId(logEntry.State), separator);
        }

        if (!string.IsNullOrEmpty(message))
        {
            textWriter.Write(separator);
            textWriter.Write(LogEscaping.Escape(message));
        }

        if (logEntry.Exception is { } exception)
        {
            // A stack trace keeps its lines (joined on one line when SingleLine is set), each escaped.
            foreach (var line in exception.ToString().Split('\n'))
            {
                textWriter.Write(separator);
                textWriter.Write(LogEscaping.Escape(line.TrimEnd('\r')));
            }
        }

        textWriter.Write(Environment.NewLine);
    }

    private static void WriteScopes(TextWriter textWriter, IExternalScopeProvider scopeProvider, bool requestIdInMessage, string separator)
    {
        var requestIdWritten = requestIdInMessage;
        var first = true;
        scopeProvider.ForEachScope((scope, writer) =>
        {
            var text = scope is IEnumerable<KeyValuePair<string, object?>> values
                ? string.Join(' ', values.Where(Shown).Select(value => $"{value.Key}:{value.Value}"))
                : scope?.ToString();
            if (string.IsNullOrEmpty(text))
            {
                return;
            }

            writer.Write(first ? separator + "=> " : " => ");
            writer.Write(LogEscaping.Escape(text));
            first = false;
        }, textWriter);

        bool Shown(KeyValuePair<string, object?> value)
        {
            if (value.Key != RequestId)
            {
                return !HiddenScopeValues.Contains(value.Key);
            }

            var shown = !requestIdWritten;
            requestIdWritten = true;
            return shown;
        }
    }

    private static bool NamesRequestId<TState>(TState state) =>
        state is IEnumerable<KeyValuePair<string, object?>> values && values.Any(value => value.Key == RequestId);

    private static bool UseColor(SimpleConsoleFormatterOptions settings) => settings.ColorBehavior switch
    {
        LoggerColorBehavior.Enabled => true,
        LoggerColorBehavior.Disabled => false,
        _ => !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null,
    };

    /// <summary>The level as the simple formatter writes it, in its colours when the console shows them.</summary>
    private static void WriteLevel(TextWriter textWriter, LogLevel level, bool color)
    {
        var (text, colors) = level switch
        {
            LogLevel.Trace => ("trce", "\e[37m\e[40m"),
            LogLevel.Debug => ("dbug", "\e[37m\e[40m"),
            LogLevel.Information => ("info", "\e[32m\e[40m"),
            LogLevel.Warning => ("warn", "\e[1m\e[33m\e[40m"),
            LogLevel.Error => ("fail", "\e[30m\e[41m"),
            _ => ("crit", "\e[1m\e[37m\e[41m"),
        };
        if (!color)
        {
            textWriter.Write(text);
            return;
        }

        textWriter.Write(colors);
        textWriter.Write(text);
        textWriter.Write("\e[39m\e[22m\e[49m");
    }
}
