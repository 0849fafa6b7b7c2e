using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ServerDashboard.Hosting;

namespace ServerDashboard.Auth;

/// <summary>
/// Counts failed logins per client address in a sliding window, on top of Identity's per-account lockout,
/// so one address cannot spray passwords across many accounts.
/// </summary>
public sealed class LoginThrottle(IOptions<DashboardOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> failures = new();

    public bool IsBlocked(string clientAddress, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!failures.TryGetValue(clientAddress, out var queue))
        {
            return false;
        }

        lock (queue)
        {
            Prune(queue);
            if (queue.Count < options.Value.LoginThrottle.MaxFailures)
            {
                return false;
            }

            retryAfter = queue.Peek() + Window - time.GetUtcNow();
            return true;
        }
    }

    public void RecordFailure(string clientAddress)
    {
        var queue = failures.GetOrAdd(clientAddress, _ => new Queue<DateTimeOffset>());
        lock (queue)
        {
            Prune(queue);
            queue.Enqueue(time.GetUtcNow());
        }
    }

    public void RecordSuccess(string clientAddress) => failures.TryRemove(clientAddress, out _);

    private TimeSpan Window => TimeSpan.FromSeconds(options.Value.LoginThrottle.WindowSeconds);

    private void Prune(Queue<DateTimeOffset> queue)
    {
        var cutoff = time.GetUtcNow() - Window;
        while (queue.Count > 0 && queue.Peek() < cutoff)
        {
            queue.Dequeue();
        }
    }
}
