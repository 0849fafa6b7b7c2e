using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ServerDashboard.Tests.Processes;

/// <summary>Keeps every formatted log line so tests can assert on what an operator would read.</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => _lines.ToArray();

    public ILogger CreateLogger(string categoryName) => new RecordingLogger(this, categoryName);

    public IReadOnlyList<string> LinesContaining(string text) => Lines.Where(l => l.Contains(text, StringComparison.Ordinal)).ToList();

    public void Dispose()
    {
    }

    private sealed class RecordingLogger(RecordingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string line = $"{logLevel}: {formatter(state, exception)}";
            owner._lines.Enqueue(line);
            _ = category;
        }
    }
}
