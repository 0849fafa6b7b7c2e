using System.Globalization;
using System.Text;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Processes;

/// <summary>Linux-only: reads /proc. Every read tolerates the process vanishing in the middle (the answer is then null/empty).</summary>
public sealed class ProcFs
{
    private readonly Lock _snapshotLock = new();
    private (long TakenAt, IReadOnlyList<ProcStat> Stats)? _snapshot;

    private const string Root = "/proc";
    private readonly Lazy<string> _bootId = new(() => File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim());
    private readonly Lazy<DateTimeOffset> _bootTime = new(ReadBootTime);

    /// <summary>Changes on every boot; part of <see cref="ProcessIdentity"/>.</summary>
    public string BootId => _bootId.Value;

    /// <summary>USER_HZ, the unit of utime/stime/starttime (sysconf(_SC_CLK_TCK)).</summary>
    public long ClockTicksPerSecond { get; } = LinuxNative.ClockTicksPerSecond();

    /// <summary>Wall-clock boot time ("btime" in /proc/stat).</summary>
    public DateTimeOffset BootTime => _bootTime.Value;

    public ProcStat? TryReadStat(int pid)
    {
        return ProcFileReader.TryRead($"{Root}/{pid}/stat", ProcStat.TryParse);
    }

    public ProcessIdentity? TryGetIdentity(int pid)
    {
        ProcStat? stat = TryReadStat(pid);
        return stat is null ? null : new ProcessIdentity(BootId, pid, stat.StartTime);
    }

    public IdentityStatus Check(ProcessIdentity identity)
    {
        if (!string.Equals(identity.BootId, BootId, StringComparison.OrdinalIgnoreCase))
        {
            return IdentityStatus.BootIdChanged;
        }

        ProcStat? stat = TryReadStat(identity.Pid);
        if (stat is null)
        {
            return IdentityStatus.Gone;
        }

        if (stat.StartTime != identity.StartTime)
        {
            return IdentityStatus.StartTimeChanged;
        }

        return stat.IsZombieOrDead ? IdentityStatus.Zombie : IdentityStatus.Alive;
    }

    /// <summary>Exists, not a zombie, same boot, same start time.</summary>
    public bool IsAlive(ProcessIdentity identity) => Check(identity) == IdentityStatus.Alive;

    /// <summary>Target of /proc/&lt;pid&gt;/exe; null if gone, a zombie, or another user's process we may not inspect.</summary>
    public string? TryReadExe(int pid)
    {
        try
        {
            return new FileInfo($"{Root}/{pid}/exe").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public string? TryReadCwd(int pid)
    {
        try
        {
            return new DirectoryInfo($"{Root}/{pid}/cwd").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>argv as the process sees it now (NUL-separated in /proc); null if unreadable, empty for kernel threads and zombies.</summary>
    public IReadOnlyList<string>? TryReadCmdline(int pid)
    {
        // In one read() call: one program's arguments, never the start of one and the end of the next (ProcFileReader).
        string? text = ProcFileReader.TryReadInOneCall($"{Root}/{pid}/cmdline", static bytes => Encoding.UTF8.GetString(bytes));
        if (text is null)
        {
            return null;
        }

        return text.Length == 0 ? [] : text.TrimEnd('\0').Split('\0');
    }

    /// <summary>
    /// The environment the process was started with (NUL-separated, as in /proc/&lt;pid&gt;/environ); null if gone or not ours
    /// to read (the kernel allows it only to the owner with ptrace rights, and to root).
    /// </summary>
    public byte[]? TryReadEnviron(int pid) =>
        // In one read() call: a read in chunks stops half-way when an exec releases the memory it reads (ProcFileReader).
        ProcFileReader.TryReadInOneCall($"{Root}/{pid}/environ", static bytes => bytes.ToArray());

    /// <summary>
    /// <see cref="TryReadEnviron"/> of the program the process runs now, waiting out an exec in progress (up to
    /// <paramref name="timeout"/>). An exec makes environ read empty although the program has an environment, three ways
    /// (measured on a process exec'ing in a loop: ≈ 1 read in 270 came out empty before this check, none in 775,000 after):
    /// <list type="bullet">
    /// <item>environ keeps the memory map it was opened on, and reads nothing once an exec has released that map;</item>
    /// <item>a new program's map has no environment until the kernel lays out its stack (env_start = env_end = 0), and
    /// posix_spawn (CLONE_VFORK) returns to the parent in that moment;</item>
    /// <item>while laying it out the kernel sets env_end = env_start, copies the pointers, then moves env_end.</item>
    /// </list>
    /// So an empty read is believed only when /proc/&lt;pid&gt;/stat shows the same empty area twice, a poll apart: a program
    /// really started with no environment (env -i) costs one poll.
    /// </summary>
    public byte[]? TryReadSettledEnviron(int pid, TimeProvider time, TimeSpan timeout)
    {
        long deadline = time.GetTimestamp() + (long)(timeout.TotalSeconds * time.TimestampFrequency);
        EnvironmentArea? emptySeen = null;
        while (true)
        {
            byte[]? environ = TryReadEnviron(pid);
            if (environ is not { Length: 0 })
            {
                return environ;
            }

            EnvironmentArea? area = ProcFileReader.TryRead($"{Root}/{pid}/stat", ProcStat.TryParseEnvironmentArea);
            if (area is null || time.GetTimestamp() > deadline)
            {
                return environ; // gone (or a kernel without these fields): nothing better to wait for
            }

            if (area.IsLaidOut && !area.IsEmpty)
            {
                emptySeen = null;
                continue; // the read caught a map an exec released: read the new one at once
            }

            if (area.IsLaidOut && area == emptySeen)
            {
                return environ; // really started with no environment
            }

            emptySeen = area.IsLaidOut ? area : null;
            Thread.Sleep(ExecSettlePoll);
        }
    }

    private static readonly TimeSpan ExecSettlePoll = TimeSpan.FromMilliseconds(5);

    public int? CountOpenFds(int pid)
    {
        // Since Linux 6.2 the size of /proc/PID/fd is its number of open files: one statx instead of listing the
        // directory (a getdents and an entry per fd). Older kernels report 0 there, as does a process with no open file:
        // then list it.
        if (LinuxNative.StatxSize($"{Root}/{pid}/fd") is long size and > 0 and <= int.MaxValue)
        {
            return (int)size;
        }

        try
        {
            return Directory.EnumerateFileSystemEntries($"{Root}/{pid}/fd").Count();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public IEnumerable<int> ListPids()
    {
        foreach (string dir in Directory.EnumerateDirectories(Root))
        {
            if (int.TryParse(Path.GetFileName(dir.AsSpan()), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                yield return pid;
            }
        }
    }

    /// <summary>One pass over /proc: the stat of every process that still exists.</summary>
    public IReadOnlyList<ProcStat> ReadAllStats()
    {
        var stats = new List<ProcStat>();
        foreach (int pid in ListPids())
        {
            if (TryReadStat(pid) is { } stat)
            {
                stats.Add(stat);
            }
        }

        return stats;
    }

    /// <summary>
    /// A pass over /proc taken no earlier than <paramref name="notBefore"/> (a <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp), shared between callers: stopping a hundred servers at once would otherwise scan /proc a hundred times per
    /// poll round. A snapshot taken after a leader's exit that shows no live member of its group is conclusive: nobody is
    /// left to fork into the group.
    /// </summary>
    public IReadOnlyList<ProcStat> ReadAllStatsSince(long notBefore)
    {
        lock (_snapshotLock)
        {
            if (_snapshot is { } recent && recent.TakenAt >= notBefore)
            {
                return recent.Stats;
            }

            long takenAt = System.Diagnostics.Stopwatch.GetTimestamp();
            IReadOnlyList<ProcStat> stats = ReadAllStats();
            _snapshot = (takenAt, stats);
            return stats;
        }
    }

    /// <summary>Processes whose process group is <paramref name="pgid"/> (zombies included).</summary>
    public IReadOnlyList<ProcStat> ListProcessGroup(int pgid) => ReadAllStats().Where(s => s.ProcessGroupId == pgid).ToList();

    /// <summary>Processes in the group <paramref name="id"/> or in the session <paramref name="id"/> (a daemon started with setsid has pgid == sid == pid).</summary>
    public IReadOnlyList<ProcStat> ListGroupOrSession(int id, long? notBefore = null) =>
        (notBefore is { } since ? ReadAllStatsSince(since) : ReadAllStats()).Where(s => s.ProcessGroupId == id || s.SessionId == id).ToList();

    /// <summary>The real uid of a process (first field of "Uid:" in /proc/&lt;pid&gt;/status); null if gone.</summary>
    public int? TryReadUid(int pid)
    {
        string? text = TryReadText($"{Root}/{pid}/status");
        foreach (string line in (text ?? "").Split('\n'))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                string[] ids = line[4..].Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
                return ids.Length > 0 && int.TryParse(ids[0], NumberStyles.None, CultureInfo.InvariantCulture, out int uid) ? uid : null;
            }
        }

        return null;
    }

    /// <summary>
    /// True for kernel threads (PF_KTHREAD in field 9 of /proc/&lt;pid&gt;/stat): they may show a socket's owner uid 0 but
    /// are never a process to signal.
    /// </summary>
    public bool IsKernelThread(int pid)
    {
        const ulong PfKthread = 0x00200000;
        string? text = TryReadText($"{Root}/{pid}/stat");
        int close = text?.LastIndexOf(')') ?? -1;
        if (text is null || close < 0 || close + 2 > text.Length)
        {
            return false;
        }

        string[] f = text[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // f[0] is field 3; field 9 (flags) is f[6].
        return f.Length > 6 && ulong.TryParse(f[6], NumberStyles.None, CultureInfo.InvariantCulture, out ulong flags) && (flags & PfKthread) != 0;
    }

    /// <summary>
    /// Every process holding one of <paramref name="inodes"/> open (socket:[inode] links under /proc/&lt;pid&gt;/fd): a socket
    /// inherited across fork or passed over a Unix socket has several holders, all listed. Processes whose fd directory we
    /// may not read (another user's, without root) are counted in <see cref="SocketHolderScan.UnreadableProcesses"/>.
    /// </summary>
    public SocketHolderScan FindSocketHolders(IReadOnlySet<ulong> inodes)
    {
        var holders = new Dictionary<ulong, List<int>>();
        int unreadable = 0;
        if (inodes.Count == 0)
        {
            return new SocketHolderScan(new Dictionary<ulong, IReadOnlyList<int>>(), 0);
        }

        foreach (int pid in ListPids())
        {
            IEnumerable<string> fds;
            try
            {
                fds = Directory.EnumerateFileSystemEntries($"{Root}/{pid}/fd").ToList();
            }
            catch (UnauthorizedAccessException)
            {
                unreadable++;
                continue;
            }
            catch (IOException)
            {
                continue; // exited meanwhile
            }

            foreach (string fd in fds)
            {
                string? target;
                try
                {
                    target = new FileInfo(fd).LinkTarget;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue;
                }

                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && target.EndsWith(']')
                    && ulong.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out ulong inode)
                    && inodes.Contains(inode))
                {
                    if (!holders.TryGetValue(inode, out var pids))
                    {
                        holders[inode] = pids = [];
                    }

                    if (!pids.Contains(pid))
                    {
                        pids.Add(pid);
                    }
                }
            }
        }

        return new SocketHolderScan(holders.ToDictionary(h => h.Key, h => (IReadOnlyList<int>)h.Value), unreadable);
    }

    /// <summary>Wall-clock time at which a process started.</summary>
    public DateTimeOffset StartTimeOf(ulong startTimeTicks) => BootTime.AddSeconds((double)startTimeTicks / ClockTicksPerSecond);

    private static string? TryReadText(string path) => ProcFileReader.TryReadAllText(path);

    private static DateTimeOffset ReadBootTime()
    {
        foreach (string line in File.ReadLines("/proc/stat"))
        {
            if (line.StartsWith("btime ", StringComparison.Ordinal))
            {
                return DateTimeOffset.FromUnixTimeSeconds(long.Parse(line.AsSpan(6).Trim(), CultureInfo.InvariantCulture));
            }
        }

        throw new InvalidOperationException("/proc/stat has no btime line");
    }
}

/// <summary>The result of <see cref="ProcFs.FindSocketHolders"/>.</summary>
public sealed record SocketHolderScan(IReadOnlyDictionary<ulong, IReadOnlyList<int>> HoldersByInode, int UnreadableProcesses);
