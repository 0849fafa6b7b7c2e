namespace ServerDashboard.Rcon;

public sealed record RconLatencySnapshot(int Count, TimeSpan P50, TimeSpan P99);

/// <summary>The last N command durations (a ring), for p50/p99. Thread-safe; sorting happens only on read.</summary>
public sealed class RconLatency(int capacity = 1000)
{
    private readonly long[] ticks = new long[Math.Max(1, capacity)];
    private readonly Lock gate = new();
    private int next;
    private int count;

    public void Record(TimeSpan duration)
    {
        lock (gate)
        {
            ticks[next] = duration.Ticks;
            next = (next + 1) % ticks.Length;
            count = Math.Min(count + 1, ticks.Length);
        }
    }

    public RconLatencySnapshot Snapshot()
    {
        long[] sorted;
        lock (gate)
        {
            sorted = ticks[..count];
        }

        if (sorted.Length == 0)
        {
            return new RconLatencySnapshot(0, TimeSpan.Zero, TimeSpan.Zero);
        }

        Array.Sort(sorted);
        return new RconLatencySnapshot(sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.99));
    }

    /// <summary>Nearest-rank percentile.</summary>
    private static TimeSpan Percentile(long[] sorted, double p) =>
        TimeSpan.FromTicks(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)]);
}
