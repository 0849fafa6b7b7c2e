using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using ServerDashboard.Logs;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Logs;

/// <summary>A <see cref="LogFileTailer"/> running in the background, collecting what it emits.</summary>
internal sealed class TailerRun : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task run;

    public TailerRun(string path, TailStart start, TimeSpan? drainQuietPeriod = null, TimeSpan? pollInterval = null, TimeSpan? watchedPollInterval = null,
        Func<bool>? isWatched = null, TimeSpan unwatchedDelay = default)
    {
        var tailer = Tailer = new LogFileTailer(path, start, TimeProvider.System, NullLogger.Instance)
        {
            DrainQuietPeriod = drainQuietPeriod ?? TimeSpan.FromSeconds(10),
            PollInterval = pollInterval ?? TimeSpan.FromMilliseconds(250),
            WatchedPollInterval = watchedPollInterval ?? TimeSpan.FromSeconds(2),
            IsWatched = isWatched,
            UnwatchedDelay = unwatchedDelay,
        };
        run = Task.Run(() => tailer.RunAsync(batch =>
        {
            foreach (var line in batch)
            {
                Lines.Enqueue(line);
            }
        }, stop.Token));
    }

    public ConcurrentQueue<string> Lines { get; } = new();

    public LogFileTailer Tailer { get; }

    public bool Faulted => run.IsFaulted;

    public Task WaitForAsync(int count, double seconds = 30) =>
        Eventually.TrueAsync(() => Lines.Count >= count || run.IsCompleted, TimeSpan.FromSeconds(seconds), $"{count} lines (have {Lines.Count})");

    public Task WaitForLineAsync(string text, double seconds = 30) =>
        Eventually.TrueAsync(() => Lines.Contains(text) || run.IsCompleted, TimeSpan.FromSeconds(seconds), $"the line '{text}'");

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await run; // surfaces an exception the tailer threw
        stop.Dispose();
    }
}

/// <summary>Numbered test lines: "line &lt;n&gt;".</summary>
internal static class NumberedLines
{
    public static long Parse(string line) =>
        line.StartsWith("line ", StringComparison.Ordinal) && long.TryParse(line.AsSpan(5), out var n)
            ? n
            : throw new Xunit.Sdk.XunitException($"not a numbered line: '{(line.Length > 80 ? line[..80] + "…" : line)}'");

    /// <summary>Asserts the numbers strictly increase (no duplicate, no reordering); returns how many of 0..total-1 are missing.</summary>
    public static long AssertInOrderAndCountMissing(IEnumerable<string> lines, long total)
    {
        long previous = -1, seen = 0;
        foreach (var number in lines.Select(Parse))
        {
            Assert.True(number > previous, $"line {number} after line {previous}: duplicated or out of order");
            Assert.InRange(number, 0, total - 1);
            previous = number;
            seen++;
        }

        return total - seen;
    }
}
