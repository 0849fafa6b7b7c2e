using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ServerDashboard.Hosting;

namespace ServerDashboard.Auth;

/// <summary>
/// Backs off failed logins per (user name, client address), plus a looser cap per address (password spraying across
/// accounts). Nobody elsewhere can keep an account locked out: only the address that failed waits. Entries whose window has
/// passed are evicted, so the maps cannot grow without bound. Identity's own account lockout is not used for this reason.
/// </summary>
public sealed class LoginThrottle(IOptions<DashboardOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> byUserAndAddress = new();
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> byAddress = new();
    private long lastSweepTicks;

    private LoginThrottleOptions Settings => options.Value.LoginThrottle;

    private TimeSpan Window => TimeSpan.FromSeconds(Settings.WindowSeconds);

    /// <summary>Entries kept (for tests: eviction keeps this bounded).</summary>
    public int TrackedEntries => byUserAndAddress.Count + byAddress.Count;

    public bool IsBlocked(string userName, string clientAddress, out TimeSpan retryAfter)
    {
        var forPair = Check(byUserAndAddress, Key(userName, clientAddress), Settings.MaxFailures);
        var forAddress = Check(byAddress, clientAddress, Settings.MaxFailuresPerAddress);
        retryAfter = forPair > forAddress ? forPair : forAddress;
        return retryAfter > TimeSpan.Zero;
    }

    public void RecordFailure(string userName, string clientAddress)
    {
        Add(byUserAndAddress, Key(userName, clientAddress));
        Add(byAddress, clientAddress);
        SweepIfDue();
    }

    /// <summary>A success clears this pair's failures (not the address's: one good password must not reset spraying).</summary>
    public void RecordSuccess(string userName, string clientAddress) => byUserAndAddress.TryRemove(Key(userName, clientAddress), out _);

    /// <summary>Drops every entry whose failures are all older than the window.</summary>
    public void Sweep()
    {
        foreach (var map in new[] { byUserAndAddress, byAddress })
        {
            foreach (var (key, queue) in map)
            {
                lock (queue)
                {
                    Prune(queue);
                    if (queue.Count == 0)
                    {
                        map.TryRemove(new KeyValuePair<string, Queue<DateTimeOffset>>(key, queue));
                    }
                }
            }
        }
    }

    private static string Key(string userName, string clientAddress) => userName.Trim().ToUpperInvariant() + "\n" + clientAddress;

    private TimeSpan Check(ConcurrentDictionary<string, Queue<DateTimeOffset>> map, string key, int max)
    {
        if (!map.TryGetValue(key, out var queue))
        {
            return TimeSpan.Zero;
        }

        lock (queue)
        {
            Prune(queue);
            return queue.Count < Math.Max(1, max) ? TimeSpan.Zero : queue.Peek() + Window - time.GetUtcNow();
        }
    }

    private void Add(ConcurrentDictionary<string, Queue<DateTimeOffset>> map, string key)
    {
        var queue = map.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
        lock (queue)
        {
            Prune(queue);
            queue.Enqueue(time.GetUtcNow());
        }
    }

    private void SweepIfDue()
    {
        var now = time.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref lastSweepTicks);
        if (now - last >= Window.Ticks && Interlocked.CompareExchange(ref lastSweepTicks, now, last) == last)
        {
            Sweep();
        }
    }

    private void Prune(Queue<DateTimeOffset> queue)
    {
        var cutoff = time.GetUtcNow() - Window;
        while (queue.Count > 0 && queue.Peek() < cutoff)
        {
            queue.Dequeue();
        }
    }
}
