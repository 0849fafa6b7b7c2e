using System.Collections.Concurrent;

namespace ServerDashboard.Servers;

/// <summary>
/// Delays between automatic restarts: 1 s, 2 s, 4 s … up to 60 s while a server keeps dying soon after it starts;
/// after <see cref="MaxQuickFailures"/> such deaths in a row it gives up. A run that lasted
/// <see cref="StableRun"/> resets the count.
/// </summary>
public sealed class RestartBackoff(TimeProvider time)
{
    public const int MaxQuickFailures = 5;
    public static readonly TimeSpan StableRun = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<int, (DateTimeOffset StartedAt, int QuickFailures)> history = new();

    public void RecordStart(int serverId) =>
        history.AddOrUpdate(serverId, _ => (time.GetUtcNow(), 0), (_, h) => (time.GetUtcNow(), h.QuickFailures));

    public void Reset(int serverId) => history.TryRemove(serverId, out _);

    /// <summary>The delay before the next restart, or null when the server should not be restarted again.</summary>
    public TimeSpan? NextDelay(int serverId)
    {
        var now = time.GetUtcNow();
        var (startedAt, failures) = history.GetValueOrDefault(serverId, (now, 0));
        failures = now - startedAt >= StableRun ? 1 : failures + 1;
        history[serverId] = (startedAt, failures);
        if (failures > MaxQuickFailures)
        {
            return null;
        }

        var delay = TimeSpan.FromSeconds(Math.Pow(2, failures - 1));
        return delay < MaxDelay ? delay : MaxDelay;
    }
}
