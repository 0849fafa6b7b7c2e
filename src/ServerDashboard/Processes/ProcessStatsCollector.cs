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

    /// <summary>How long a process's open-file count is reused before /proc/PID/fd is listed again.</summary>
    public static readonly TimeSpan FdCountMaxAge = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<(int Pid, ulong StartTime), (int Count, DateTimeOffset At)> _fdCounts = new();
    private readonly ConcurrentDictionary<ProcessIdentity, List<CpuSample>> _previous = new();

    public ProcessRegistryStats Collect()
    {
        registry.PollExits();
        IReadOnlyCollection<TrackedProcess> entries = registry.Entries;
        // Each live server's cgroup members, read once per pass; null for a server without one (or whose cgroup.procs
        // cannot be read): its tree is then found by process group and session in a pass over all of /proc.
        var cgroupMembers = new Dictionary<TrackedProcess, IReadOnlyList<int>?>();
        foreach (var entry in entries)
        {
            cgroupMembers[entry] = !entry.HasExited && entry.Cgroup is { } cgroup ? cgroups.TryMembersForStats(cgroup) : null;
        }

        var all = new ProcSnapshot(ReadStatsFor(entries, cgroupMembers));
        var stats = entries.OrderBy(e => e.ServerId, StringComparer.Ordinal)
            .Select(e => Measure(e, all, cgroupMembers[e] ?? [])).ToList();

        foreach (ProcessIdentity stale in _previous.Keys.Except(entries.Select(e => e.Identity)))
        {
            _previous.TryRemove(stale, out _);
        }

        ForgetFdCounts(all);

        int alive = stats.Count(s => s.Alive);
        return new ProcessRegistryStats(entries.Count, alive, entries.Count - alive, store.ListServerIds().Count, store.RunDirectory, stats);
    }

    /// <summary>
    /// The /proc stats the pass needs: with every live server in a cgroup whose members were read, only those members'
    /// (and the leaders'); otherwise every process's, once for all servers, to find trees by process group and session.
    /// Reading only the members keeps the pass proportional to the servers' processes, not to everything on the host,
    /// and costs nothing with no server at all.
    /// </summary>
    private IReadOnlyList<ProcStat> ReadStatsFor(IReadOnlyCollection<TrackedProcess> entries, Dictionary<TrackedProcess, IReadOnlyList<int>?> cgroupMembers)
    {
        if (entries.Any(e => !e.HasExited && cgroupMembers[e] is null))
        {
            return procFs.ReadAllStats();
        }

        var pids = new HashSet<int>();
        foreach (var entry in entries)
        {
            if (!entry.HasExited)
            {
                pids.Add(entry.Pid);
                pids.UnionWith(cgroupMembers[entry]!);
            }
        }

        var stats = new List<ProcStat>(pids.Count);
        foreach (var pid in pids)
        {
            if (procFs.TryReadStat(pid) is { } stat)
            {
                stats.Add(stat);
            }
        }

        return stats;
    }

    private ProcessStats Measure(TrackedProcess entry, ProcSnapshot all, IReadOnlyList<int> cgroupMembers)
    {
        // Identity from the pass that was just taken (the same pid and start time, not a zombie) instead of reading
        // /proc/PID/stat once more per server; a pid the pass did not see is checked directly.
        bool alive = !entry.HasExited && (all.ByPid(entry.Pid) is { } seen
            ? seen.StartTime == entry.Identity.StartTime && !seen.IsZombieOrDead && string.Equals(entry.Identity.BootId, procFs.BootId, StringComparison.OrdinalIgnoreCase)
            : procFs.IsAlive(entry.Identity));
        bool pidFileExists = File.Exists(entry.PidFilePath);
        if (!alive)
        {
            return new ProcessStats(entry.Pid, entry.ServerId, entry.PidFilePath, pidFileExists, entry.LoadedFromDisk, false,
                null, null, null, null, null, null, null, 0, entry.LastExit?.ToString());
        }

        // The tree: process group and session, and with a cgroup all its members (a setsid() escaper included).
        // Looked up in the pass's indexes (not a scan of every process per server, which grew as servers × processes).
        var members = all.Members(entry.Pid, cgroupMembers);
        DateTimeOffset now = time.GetUtcNow();
        ulong ticks = 0;
        long rssPages = 0;
        int threads = 0, fds = 0;
        foreach (ProcStat member in members)
        {
            ticks += member.UserTicks + member.SystemTicks;
            rssPages += member.RssPages;
            threads += member.ThreadCount;
            fds += OpenFds(member, now);
        }

        // Memory as the kernel charges it to the cgroup where there is one (the figure its limit is measured against).
        long memoryBytes = entry.Cgroup is { } charged && cgroups.Usage(charged).MemoryBytes is { } usage ? usage : rssPages * Environment.SystemPageSize;
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

    /// <summary>
    /// A process's open-file count, counted again when older than <see cref="FdCountMaxAge"/>: listing /proc/PID/fd is a
    /// directory read per process per tick (the kernel has no cheaper count: FDSize in /proc/PID/status is the table's
    /// size, not its use), and an fd count is a slow-moving figure.
    /// </summary>
    private int OpenFds(ProcStat member, DateTimeOffset now)
    {
        var key = (member.Pid, member.StartTime);
        if (_fdCounts.TryGetValue(key, out var cached) && now - cached.At < FdCountMaxAge)
        {
            return cached.Count;
        }

        int count = procFs.CountOpenFds(member.Pid) ?? 0;
        _fdCounts[key] = (count, now);
        return count;
    }

    private void ForgetFdCounts(ProcSnapshot all)
    {
        foreach (var key in _fdCounts.Keys)
        {
            if (all.ByPid(key.Pid) is not { } stat || stat.StartTime != key.StartTime)
            {
                _fdCounts.TryRemove(key, out _);
            }
        }
    }

    private sealed record CpuSample(ulong Ticks, DateTimeOffset At);

    /// <summary>One /proc pass indexed by pid, process group and session.</summary>
    private sealed class ProcSnapshot
    {
        private readonly Dictionary<int, ProcStat> byPid = [];
        private readonly Dictionary<int, List<ProcStat>> byGroupOrSession = [];

        public ProcSnapshot(IReadOnlyList<ProcStat> stats)
        {
            foreach (ProcStat stat in stats)
            {
                byPid[stat.Pid] = stat;
                Index(stat.ProcessGroupId, stat);
                if (stat.SessionId != stat.ProcessGroupId)
                {
                    Index(stat.SessionId, stat);
                }
            }
        }

        public ProcStat? ByPid(int pid) => byPid.GetValueOrDefault(pid);

        /// <summary>Live processes in the group or session <paramref name="leader"/>, and the cgroup's members, each once.</summary>
        public List<ProcStat> Members(int leader, IReadOnlyList<int> cgroupMembers)
        {
            var members = new List<ProcStat>();
            var seen = new HashSet<int>();
            foreach (ProcStat stat in byGroupOrSession.GetValueOrDefault(leader) ?? [])
            {
                if (!stat.IsZombieOrDead && seen.Add(stat.Pid))
                {
                    members.Add(stat);
                }
            }

            foreach (int pid in cgroupMembers)
            {
                if (byPid.TryGetValue(pid, out var stat) && !stat.IsZombieOrDead && seen.Add(pid))
                {
                    members.Add(stat);
                }
            }

            return members;
        }

        private void Index(int id, ProcStat stat)
        {
            if (!byGroupOrSession.TryGetValue(id, out var list))
            {
                byGroupOrSession[id] = list = [];
            }

            list.Add(stat);
        }
    }
}
