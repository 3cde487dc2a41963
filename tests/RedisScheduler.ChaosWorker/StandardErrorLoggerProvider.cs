using Microsoft.Extensions.Logging;

namespace RedisScheduler.ChaosWorker;

/// <summary>
/// Writes each log entry to stderr as one line, synchronously, so the entries just before a kill
/// survive it (the console logger queues them on a background thread). Evidence for the test when
/// a task runs twice.
/// </summary>
internal sealed class StandardErrorLoggerProvider : ILoggerProvider
{
    // TaskFailed (3) and TaskDeadLettered (7) are the deliberate failures; the test sees those on stdout.
    private static readonly HashSet<int> Expected = [3, 7];

    public ILogger CreateLogger(string categoryName) => new Logger();

    public void Dispose()
    {
    }

    private sealed class Logger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
            => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel) || Expected.Contains(eventId.Id))
            {
                return;
            }

            var error = exception is null ? "" : $" | {exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")}";
            Console.Error.WriteLine($"log {TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds()} {Environment.ProcessId} {logLevel} {eventId.Id} {formatter(state, exception).ReplaceLineEndings(" ")}{error}");
        }
    }
}
