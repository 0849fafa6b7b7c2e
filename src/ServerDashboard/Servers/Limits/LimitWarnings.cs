namespace ServerDashboard.Servers.Limits;

/// <summary>"Dashboard:Monitoring:Limits": when a limit counts as crossed.</summary>
public sealed class LimitWarningOptions
{
    public const string SectionName = "Dashboard:Monitoring:Limits";

    /// <summary>Consecutive samples over a limit before the warning (and the definition's action).</summary>
    public int SamplesBeforeWarning { get; set; } = 3;
}

public enum LimitKind
{
    Cpu,
    Memory,
}

/// <summary>A server stayed over one of its limits for <see cref="Samples"/> ticks.</summary>
public sealed record LimitWarning(int ServerId, LimitKind Kind, DateTimeOffset At, double Value, double Limit, int Samples, LimitAction Action)
{
    public string Describe() => Kind == LimitKind.Cpu
        ? $"CPU {Value:0.#} % over the warning of {Limit:0.#} % for {Samples} samples"
        : $"memory {Value:0} MB over the limit of {Limit:0} MB for {Samples} samples";
}

/// <summary>The warnings in force per server (cleared when the figure drops back) and who wants to hear of new ones.</summary>
public sealed class LimitWarningFeed(ILogger<LimitWarningFeed> logger)
{
    private readonly Lock sync = new();
    private readonly Dictionary<int, Dictionary<LimitKind, LimitWarning>> active = [];
    private Action<int>[] subscribers = [];

    public IReadOnlyList<LimitWarning> Active(int serverId)
    {
        lock (sync)
        {
            return active.TryGetValue(serverId, out var byKind) ? byKind.Values.OrderBy(w => w.Kind).ToList() : [];
        }
    }

    /// <summary>Called with the server id whenever its warnings change.</summary>
    public IDisposable Subscribe(Action<int> onChange)
    {
        lock (sync)
        {
            subscribers = [.. subscribers, onChange];
        }

        return new Subscription(() =>
        {
            lock (sync)
            {
                subscribers = subscribers.Where(s => s != onChange).ToArray();
            }
        });
    }

    internal void Raise(LimitWarning warning)
    {
        lock (sync)
        {
            if (!active.TryGetValue(warning.ServerId, out var byKind))
            {
                active[warning.ServerId] = byKind = [];
            }

            byKind[warning.Kind] = warning;
        }

        Notify(warning.ServerId);
    }

    internal void Clear(int serverId, LimitKind kind)
    {
        bool removed;
        lock (sync)
        {
            removed = active.TryGetValue(serverId, out var byKind) && byKind.Remove(kind);
        }

        if (removed)
        {
            Notify(serverId);
        }
    }

    private void Notify(int serverId)
    {
        foreach (var subscriber in Volatile.Read(ref subscribers))
        {
            try
            {
                subscriber(serverId);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "A limit warning subscriber failed");
            }
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
