using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ServerDashboard.Servers;

/// <summary>What the restart policy decided after an exit.</summary>
/// <param name="Delay">Wait this long, then restart (attempt <paramref name="Attempt"/>); null: a crash loop, give up.</param>
public sealed record RestartDecision(TimeSpan? Delay, int Attempt, int RestartsInWindow)
{
    public bool CrashLoop => Delay is null;
}

/// <summary>
/// The restart policy's memory per server: the attempt number (exponential backoff with jitter, reset by a run that
/// stayed Running <see cref="SupervisionOptions.StableSeconds"/> or by a manual start) and the restarts within the
/// crash-loop window. Pure bookkeeping over <see cref="TimeProvider"/>: no timers here.
/// </summary>
public sealed class RestartTracker(IOptionsMonitor<SupervisionOptions> options, TimeProvider time, Func<double>? random = null)
{
    private readonly ConcurrentDictionary<int, History> histories = new();
    private readonly Func<double> random = random ?? Random.Shared.NextDouble;

    /// <summary>The server reached Running now.</summary>
    public void MarkRunning(int serverId) => Change(serverId, h => h.RunningSince = time.GetUtcNow());

    /// <summary>A manual start (or a user's stop): the next crash starts a new series.</summary>
    public void Reset(int serverId) => histories.TryRemove(serverId, out _);

    /// <summary>The server exited and its policy wants it back: when, or whether this is a crash loop.</summary>
    public RestartDecision OnExit(int serverId)
    {
        var o = options.CurrentValue;
        var now = time.GetUtcNow();
        RestartDecision decision = null!;
        Change(serverId, h =>
        {
            if (h.RunningSince is { } since && now - since >= TimeSpan.FromSeconds(o.StableSeconds))
            {
                h.Attempt = 0;
            }

            h.RunningSince = null;
            var window = TimeSpan.FromSeconds(o.CrashLoopWindowSeconds);
            h.Restarts.RemoveAll(at => now - at >= window);
            if (h.Restarts.Count >= o.CrashLoopMaxRestarts)
            {
                decision = new RestartDecision(null, h.Attempt, h.Restarts.Count);
                return;
            }

            h.Attempt++;
            h.Restarts.Add(now);
            decision = new RestartDecision(DelayFor(h.Attempt, o), h.Attempt, h.Restarts.Count);
        });
        return decision;
    }

    /// <summary>initial × factor^(attempt−1), capped, then shortened by up to the jitter fraction.</summary>
    public TimeSpan DelayFor(int attempt, SupervisionOptions o)
    {
        var seconds = Math.Min(o.BackoffMaxSeconds, o.BackoffInitialSeconds * Math.Pow(o.BackoffFactor, Math.Min(attempt - 1, 64)));
        return TimeSpan.FromSeconds(seconds * (1 - o.BackoffJitter * random()));
    }

    private void Change(int serverId, Action<History> change)
    {
        var history = histories.GetOrAdd(serverId, _ => new History());
        lock (history)
        {
            change(history);
        }
    }

    private sealed class History
    {
        public int Attempt { get; set; }

        public DateTimeOffset? RunningSince { get; set; }

        public List<DateTimeOffset> Restarts { get; } = [];
    }
}
