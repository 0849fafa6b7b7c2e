using System.Collections.Concurrent;

namespace ServerDashboard.Processes;

/// <summary>Resource use of one daemon, summed over its whole process group/session (a server's helpers count too).</summary>
/// <param name="CpuPercent">Percent of one core over the last second or more (since start before that); up to 100 × cores.</param>
/// <param name="CpuSeconds">User + system CPU time of the group's live members (a member that exits takes its share along).</param>
public sealed record ProcessStats(
    int Pid,
    string ServerId,
    string PidFile,
    bool PidFileExists,
    bool LoadedFromDisk,
    bool Alive,
    double? CpuPercent,
    double? MemoryMb,
    long? MemoryBytes,
    int? OpenFiles,
    int? Threads,
    DateTimeOffset? StartTime,
    double? UptimeSeconds,
    int ProcessCount,
    string? LastExit,
    double? CpuSeconds = null);

public sealed record ProcessRegistryStats(
    int TotalTracked,
    int Alive,
    int Dead,
    int PidFilesOnDisk,
    string PidDirectory,
    IReadOnlyList<ProcessStats> Processes);

/// <summary>Linux-only: turns /proc into per-daemon stats. Keeps recent CPU samples per process to compute a rate.</summary>
public sealed class ProcessStatsCollector(ProcessRegistry registry, PidFileStore store, ProcFs procFs, Cgroups.CgroupManager cgroups, TimeProvider time)
{
    private static readonly TimeSpan MinCpuWindow = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<ProcessIdentity, List<CpuSample>> _previous = new();

    public ProcessRegistryStats Collect()
    {
        registry.PollExits();
        IReadOnlyCollection<TrackedProcess> entries = registry.Entries;
        // One pass over /proc for all servers, grouped by process group and by session.
        IReadOnlyList<ProcStat> all = procFs.ReadAllStats();
        var stats = entries.OrderBy(e => e.ServerId, StringComparer.Ordinal).Select(e => Measure(e, all)).ToList();

        foreach (ProcessIdentity stale in _previous.Keys.Except(entries.Select(e => e.Identity)))
        {
            _previous.TryRemove(stale, out _);
        }

        int alive = stats.Count(s => s.Alive);
        return new ProcessRegistryStats(entries.Count, alive, entries.Count - alive, store.ListServerIds().Count, store.RunDirectory, stats);
    }

    private ProcessStats Measure(TrackedProcess entry, IReadOnlyList<ProcStat> all)
    {
        bool alive = !entry.HasExited && procFs.IsAlive(entry.Identity);
        bool pidFileExists = File.Exists(entry.PidFilePath);
        if (!alive)
        {
            return new ProcessStats(entry.Pid, entry.ServerId, entry.PidFilePath, pidFileExists, entry.LoadedFromDisk, false,
                null, null, null, null, null, null, null, 0, entry.LastExit?.ToString());
        }

        // The tree: process group and session, and with a cgroup all its members (a setsid() escaper included).
        HashSet<int> inCgroup = entry.Cgroup is { } cgroup ? [.. cgroups.Members(cgroup)] : [];
        var members = all.Where(s => (s.ProcessGroupId == entry.Pid || s.SessionId == entry.Pid || inCgroup.Contains(s.Pid)) && !s.IsZombieOrDead).ToList();
        ulong ticks = 0;
        long rssPages = 0;
        int threads = 0, fds = 0;
        foreach (ProcStat member in members)
        {
            ticks += member.UserTicks + member.SystemTicks;
            rssPages += member.RssPages;
            threads += member.ThreadCount;
            fds += procFs.CountOpenFds(member.Pid) ?? 0;
        }

        // Memory as the kernel charges it to the cgroup where there is one (the figure its limit is measured against).
        long memoryBytes = entry.Cgroup is { } charged && cgroups.Usage(charged).MemoryBytes is { } usage ? usage : rssPages * Environment.SystemPageSize;
        DateTimeOffset now = time.GetUtcNow();
        DateTimeOffset started = procFs.StartTimeOf(entry.Identity.StartTime);
        double cpu = CpuPercent(entry, ticks, now, started);
        return new ProcessStats(
            entry.Pid,
            entry.ServerId,
            entry.PidFilePath,
            pidFileExists,
            entry.LoadedFromDisk,
            true,
            Math.Round(cpu, 1),
            Math.Round(memoryBytes / (1024.0 * 1024), 1),
            memoryBytes,
            fds,
            threads,
            started,
            Math.Max(0, Math.Round((now - started).TotalSeconds)),
            members.Count,
            entry.LastExit?.ToString(),
            (double)ticks / procFs.ClockTicksPerSecond);
    }

    private double CpuPercent(TrackedProcess entry, ulong ticks, DateTimeOffset now, DateTimeOffset started)
    {
        // utime/stime advance in whole ticks (10 ms): a rate over a few tens of ms is mostly rounding noise, so compare
        // with the newest sample at least MinCpuWindow old, or with the process start while there is none.
        List<CpuSample> history = _previous.GetOrAdd(entry.Identity, _ => []);
        CpuSample baseline;
        lock (history)
        {
            baseline = history.LastOrDefault(s => now - s.At >= MinCpuWindow) ?? new CpuSample(0, started);
            history.Add(new CpuSample(ticks, now));
            history.RemoveAll(s => now - s.At > MinCpuWindow * 4 && s != history[^1]);
        }

        double seconds = (now - baseline.At).TotalSeconds;
        // Ticks can go down when a group member exits (its time leaves the sum): report 0 rather than a negative rate.
        double cpuSeconds = ticks >= baseline.Ticks ? (double)(ticks - baseline.Ticks) / procFs.ClockTicksPerSecond : 0;
        double percent = seconds > 0 ? cpuSeconds / seconds * 100 : 0;
        return Math.Min(percent, Environment.ProcessorCount * 100.0);
    }

    private sealed record CpuSample(ulong Ticks, DateTimeOffset At);
}
