using System.Collections.Concurrent;

namespace ServerDashboard.Metrics;

/// <summary>
/// Per-server running totals the dashboard counts as things happen (restarts, crashes, OOM kills, log lines, dropped
/// lines, CPU time), since this dashboard process started. Exported as Prometheus counters at scrape time; a dashboard
/// restart resets them, which Prometheus' <c>rate()</c> and <c>increase()</c> handle as a counter reset.
/// </summary>
public sealed class ServerTotals
{
    private readonly ConcurrentDictionary<int, Totals> totals = new();

    public Totals For(int serverId) => totals.GetOrAdd(serverId, _ => new Totals());

    public bool TryGet(int serverId, out Totals value) => totals.TryGetValue(serverId, out value!);

    /// <summary>A deleted server's totals go with it.</summary>
    public void Forget(IEnumerable<int> keep)
    {
        var kept = keep.ToHashSet();
        foreach (var id in totals.Keys.Where(id => !kept.Contains(id)).ToList())
        {
            totals.TryRemove(id, out _);
        }
    }

    public sealed class Totals
    {
        private long restarts, crashes, oomKills, logLines, droppedLines;
        private readonly Lock cpuGate = new();
        private double cpuSeconds;
        private int cpuPid;
        private double cpuLast;

        public long Restarts => Interlocked.Read(ref restarts);

        public long Crashes => Interlocked.Read(ref crashes);

        public long OomKills => Interlocked.Read(ref oomKills);

        public long LogLines => Interlocked.Read(ref logLines);

        public long DroppedLines => Interlocked.Read(ref droppedLines);

        public double CpuSeconds
        {
            get
            {
                lock (cpuGate)
                {
                    return cpuSeconds;
                }
            }
        }

        public void AddRestart() => Interlocked.Increment(ref restarts);

        public void AddCrash(bool oomKilled)
        {
            Interlocked.Increment(ref crashes);
            if (oomKilled)
            {
                Interlocked.Increment(ref oomKills);
            }
        }

        public void AddLogLines(long count) => Interlocked.Add(ref logLines, count);

        public void AddDroppedLines(long count) => Interlocked.Add(ref droppedLines, count);

        /// <summary>
        /// Folds one tick's CPU time of the daemon <paramref name="pid"/> into the total. The tick's figure is the live
        /// group's sum, which drops when a member exits and starts again with each run: only increases within one
        /// daemon are added, and a new daemon's whole figure is new, so the total only ever grows.
        /// </summary>
        public void ObserveCpu(int pid, double groupCpuSeconds)
        {
            lock (cpuGate)
            {
                var delta = pid == cpuPid ? groupCpuSeconds - cpuLast : groupCpuSeconds;
                cpuSeconds += Math.Max(0, delta);
                cpuPid = pid;
                cpuLast = groupCpuSeconds;
            }
        }
    }
}
