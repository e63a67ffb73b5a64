using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>Keeps every log entry the server writes, so a test can check what an operator would read.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private static long _written;

    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyList<Entry> Entries => [.. _entries];

    /// <summary>Adds the capture to a server's logging (pass to <see cref="TesseraTestServer.StartAsync"/>).</summary>
    public void AddTo(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(this);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>One entry as written: its event, level, formatted message, and the exception passed with it, if any.</summary>
    public sealed record Entry(string Category, EventId EventId, LogLevel Level, string Message, Exception? Exception)
    {
        /// <summary>When it was written, relative to every entry of every capture in the test process.</summary>
        public long Sequence { get; init; }
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture._entries.Enqueue(new Entry(category, eventId, logLevel, formatter(state, exception), exception)
            {
                Sequence = Interlocked.Increment(ref _written),
            });
    }
}
