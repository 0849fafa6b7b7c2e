using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Processes.Cgroups;

/// <summary>
/// Linux-only: a cgroup per server under our own subtree, the way systemd gives each service one. v1 (one hierarchy per
/// controller: memory, cpu, cpuacct, pids, as on these hybrid machines), v2 (a delegated subtree: systemd
/// <c>Delegate=yes</c>, or a container with a writable cgroupfs), or none (not root, read-only cgroupfs, no
/// <c>cgexec</c>): then callers fall back to process groups and rlimits. Nothing outside the subtree is ever written.
/// </summary>
public sealed class CgroupManager
{
    /// <summary>v1 controllers a server's cgroup is made in (cpuacct carries the CPU accounting on v1).</summary>
    internal static readonly string[] V1Controllers = ["memory", "cpu", "cpuacct", "pids"];

    private static readonly string[] V2Controllers = ["memory", "cpu", "pids"];

    private readonly CgroupOptions options;
    private readonly string instance;
    private readonly ExecutableResolver resolver;
    private readonly ProcFs procFs;
    private readonly ProcessHandles handles;
    private readonly ILogger<CgroupManager> logger;
    private readonly Func<string?> selfCgroup;
    private readonly Lazy<CgroupSupport> support;

    public CgroupManager(IOptions<ProcessOptions> options, ExecutableResolver resolver, ProcFs procFs, ProcessHandles handles, ILogger<CgroupManager> logger)
        : this(options.Value.Cgroups, options.Value.DataDirectory, resolver, procFs, handles, logger, () => ReadText("/proc/self/cgroup"))
    {
    }

    /// <param name="selfCgroup">The text of /proc/self/cgroup (tests lay out a fake v2 hierarchy in a temp directory).</param>
    internal CgroupManager(CgroupOptions options, string dataDirectory, ExecutableResolver resolver, ProcFs procFs, ProcessHandles handles,
        ILogger<CgroupManager> logger, Func<string?> selfCgroup)
    {
        this.options = options;
        instance = InstanceName(dataDirectory);
        this.resolver = resolver;
        this.procFs = procFs;
        this.handles = handles;
        this.logger = logger;
        this.selfCgroup = selfCgroup;
        support = new Lazy<CgroupSupport>(DetectAndLog);
    }

    public CgroupSupport Support => support.Value;

    /// <summary>The cgroup name of a server: <c>&lt;subtree&gt;/&lt;instance&gt;/&lt;id&gt;</c> (v2: below the delegated base).</summary>
    public string NameFor(string serverId) => $"{InstanceSubtree}/{serverId}";

    /// <summary>Our instance's part of the subtree, e.g. <c>serverdashboard/d-1a2b3c4d</c>.</summary>
    public string InstanceSubtree => $"{options.Subtree}/{instance}";

    /// <summary>"d-" and 8 hex digits of the SHA-256 of the data directory's full path: stable across restarts, distinct per data directory.</summary>
    internal static string InstanceName(string dataDirectory) =>
        "d-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory)))))[..8];

    /// <summary>
    /// Creates the server's cgroup with <paramref name="limits"/>, fresh: a leftover empty one is removed first; one that
    /// still has processes is refused (they may be an earlier instance of this server). Null without cgroup support.
    /// </summary>
    public ServerCgroup? Create(string serverId, CgroupLimits limits)
    {
        if (!Support.Available)
        {
            return null;
        }

        var cgroup = Describe(serverId);
        if (Members(cgroup).Count is > 0 and var count)
        {
            throw new DaemonLaunchException($"cgroup {cgroup.Name} still has {count} process(es) from an earlier run; stop them (Processes page, force cleanup) first");
        }

        foreach (var directory in cgroup.Directories)
        {
            if (Directory.Exists(directory))
            {
                TryRemoveDirectory(directory); // fresh limits: no value from an earlier run survives
            }

            Directory.CreateDirectory(directory);
        }

        try
        {
            WriteLimits(cgroup, limits);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryRemove(cgroup);
            throw new DaemonLaunchException($"cannot set the limits of cgroup {cgroup.Name}: {e.Message}", e);
        }

        return cgroup;
    }

    /// <summary>The server's cgroup as it would be named on this host (whether or not it exists).</summary>
    public ServerCgroup Describe(string serverId)
    {
        var name = NameFor(serverId);
        return Support.Version switch
        {
            CgroupVersion.V1 => new ServerCgroup(CgroupVersion.V1, name, V1Controllers.Select(c => Path.Combine(options.Root, c, name)).ToList()),
            CgroupVersion.V2 => new ServerCgroup(CgroupVersion.V2, RelativeToRoot(Path.Combine(Support.Base!, name)), [Path.Combine(Support.Base!, name)]),
            _ => throw new InvalidOperationException("no cgroup support on this host: " + Support.Reason),
        };
    }

    /// <summary>The exec-in-place prefix that puts the process in its cgroup before the server's own code runs.</summary>
    public IReadOnlyList<string> JoinPrefix(ServerCgroup cgroup)
    {
        var controllers = cgroup.Version == CgroupVersion.V1 ? V1Controllers : V2Controllers;
        // cgexec writes its own pid into each cgroup.procs, then execs the rest: the PID we spawned stays the server's.
        return [Support.Cgexec!, "-g", $"{string.Join(',', controllers)}:{cgroup.Name}", "--"];
    }

    /// <summary>PIDs in the cgroup now (the union over v1's hierarchies: a member is in all of them).</summary>
    public IReadOnlyList<int> Members(ServerCgroup cgroup)
    {
        var pids = new SortedSet<int>();
        foreach (var directory in cgroup.Directories)
        {
            foreach (var line in (ReadText(Path.Combine(directory, "cgroup.procs")) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    pids.Add(pid);
                }
            }
        }

        return [.. pids];
    }

    /// <summary>
    /// <see cref="Members"/>, or null when a <c>cgroup.procs</c> of the group cannot be read (removed, or unreadable):
    /// the caller then cannot take the list as the whole tree.
    /// </summary>
    public IReadOnlyList<int>? TryMembers(ServerCgroup cgroup)
    {
        var pids = new SortedSet<int>();
        foreach (var directory in cgroup.Directories)
        {
            if (ReadText(Path.Combine(directory, "cgroup.procs")) is not { } text)
            {
                return null;
            }

            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    pids.Add(pid);
                }
            }
        }

        return [.. pids];
    }

    /// <summary>
    /// The PIDs of the hierarchy that defines membership (v1: pids, as <see cref="Contains"/> checks; v2: the one group),
    /// or null when it cannot be read. One read instead of one per v1 hierarchy: the monitoring pass asks for every
    /// server every tick, and the kernel builds and sorts a pid list for each read of a v1 cgroup.procs.
    /// </summary>
    public IReadOnlyList<int>? TryMembersForStats(ServerCgroup cgroup)
    {
        var directory = cgroup.Version == CgroupVersion.V1
            ? cgroup.Directories.FirstOrDefault(d => d.StartsWith(Path.Combine(options.Root, "pids") + "/", StringComparison.Ordinal))
                ?? cgroup.Directories[0]
            : cgroup.Directories[0];
        if (ReadText(Path.Combine(directory, "cgroup.procs")) is not { } text)
        {
            return null;
        }

        var pids = new List<int>();
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                pids.Add(pid);
            }
        }

        return pids;
    }

    /// <summary>True when /proc/&lt;pid&gt;/cgroup places the process in <paramref name="cgroup"/> (re-adoption, before a signal).</summary>
    public bool Contains(ServerCgroup cgroup, int pid)
    {
        var text = ReadText($"/proc/{pid}/cgroup");
        if (text is null)
        {
            return false;
        }

        var expected = "/" + cgroup.Name;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "hierarchy-id:controller-list:path"; v2 is "0::path".
            var parts = line.Split(':', 3);
            if (parts.Length != 3 || parts[2] != expected)
            {
                continue;
            }

            if (cgroup.Version == CgroupVersion.V2 ? parts[1].Length == 0 : parts[1].Split(',').Contains("pids"))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>How many times the kernel's OOM killer has killed a process of this cgroup for its limit.</summary>
    public long OomKills(ServerCgroup cgroup)
    {
        var file = cgroup.Version == CgroupVersion.V1
            ? Path.Combine(cgroup.Directories[0], "memory.oom_control")
            : Path.Combine(cgroup.Directories[0], "memory.events");
        return ReadKeyed(file, "oom_kill") ?? 0;
    }

    /// <summary>The cgroup's own accounting: CPU time used so far and memory charged now.</summary>
    public (TimeSpan? Cpu, long? MemoryBytes) Usage(ServerCgroup cgroup)
    {
        if (cgroup.Version == CgroupVersion.V1)
        {
            var cpuNs = ReadLong(Path.Combine(DirectoryOf(cgroup, "cpuacct"), "cpuacct.usage"));
            var memory = ReadLong(Path.Combine(DirectoryOf(cgroup, "memory"), "memory.usage_in_bytes"));
            return (cpuNs is { } ns ? TimeSpan.FromTicks(ns / 100) : null, memory);
        }

        var usec = ReadKeyed(Path.Combine(cgroup.Directories[0], "cpu.stat"), "usage_usec");
        return (usec is { } us ? TimeSpan.FromTicks(us * 10) : null, ReadLong(Path.Combine(cgroup.Directories[0], "memory.current")));
    }

    /// <summary>SIGKILLs every member: v2's <c>cgroup.kill</c> where the kernel has it, else each member through a verified pidfd.</summary>
    public int KillAll(ServerCgroup cgroup)
    {
        var killFile = Path.Combine(cgroup.Directories[0], "cgroup.kill");
        if (cgroup.Version == CgroupVersion.V2 && File.Exists(killFile))
        {
            File.WriteAllText(killFile, "1");
            return Members(cgroup).Count;
        }

        var signalled = 0;
        foreach (var pid in Members(cgroup))
        {
            if (pid == Environment.ProcessId || procFs.TryReadStat(pid) is not { IsZombieOrDead: false } stat)
            {
                continue;
            }

            using var pidfd = handles.TryOpenVerified(new ProcessIdentity(procFs.BootId, pid, stat.StartTime));
            // Still a member once the pidfd pins the process: a pid reused by an outsider in between is not ours to kill.
            if (pidfd is not null && Contains(cgroup, pid) && handles.TrySignal(pidfd, LinuxNative.SIGKILL))
            {
                signalled++;
            }
        }

        return signalled;
    }

    /// <summary>Removes the cgroup once it is empty; false (and left alone) while processes remain.</summary>
    public bool TryRemove(ServerCgroup cgroup)
    {
        var removed = true;
        foreach (var directory in cgroup.Directories)
        {
            removed &= TryRemoveDirectory(directory);
        }

        return removed;
    }

    /// <summary>
    /// At start: removes every empty cgroup of our subtree that no live server uses (left by a dashboard that was killed
    /// between a server's exit and its cleanup). Returns the names removed.
    /// </summary>
    public IReadOnlyList<string> RemoveStale(IReadOnlySet<string> liveServerIds)
    {
        if (!Support.Available)
        {
            return [];
        }

        var removed = new List<string>();
        var parents = Support.Version == CgroupVersion.V1
            ? V1Controllers.Select(c => Path.Combine(options.Root, c, InstanceSubtree))
            : [Path.Combine(Support.Base!, InstanceSubtree)];
        var ids = parents.Where(Directory.Exists)
            .SelectMany(p => new DirectoryInfo(p).EnumerateDirectories().Where(d => !d.Attributes.HasFlag(FileAttributes.ReparsePoint)).Select(d => d.Name))
            .Distinct(StringComparer.Ordinal)
            .Where(id => !liveServerIds.Contains(id));
        foreach (var id in ids)
        {
            var cgroup = Describe(id);
            if (Members(cgroup).Count == 0 && TryRemove(cgroup))
            {
                removed.Add(cgroup.Name);
            }
            else
            {
                logger.LogWarning("cgroup {Name} has no server of ours but still has processes: left alone (see the Processes page)", Text.LogText.Escape(cgroup.Name));
            }
        }

        return removed;
    }

    private void WriteLimits(ServerCgroup cgroup, CgroupLimits limits)
    {
        if (cgroup.Version == CgroupVersion.V1)
        {
            var memory = DirectoryOf(cgroup, "memory");
            Write(memory, "memory.limit_in_bytes", limits.MemoryBytes?.ToString(CultureInfo.InvariantCulture) ?? "-1");
            // memsw is memory + swap: held to the same total so the limit cannot be dodged by swapping (absent when the
            // kernel was booted without swap accounting).
            if (File.Exists(Path.Combine(memory, "memory.memsw.limit_in_bytes")))
            {
                Write(memory, "memory.memsw.limit_in_bytes", limits.MemoryBytes?.ToString(CultureInfo.InvariantCulture) ?? "-1");
            }

            var cpu = DirectoryOf(cgroup, "cpu");
            Write(cpu, "cpu.cfs_period_us", CgroupLimits.CpuPeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
            Write(cpu, "cpu.cfs_quota_us", limits.CpuQuotaMicroseconds?.ToString(CultureInfo.InvariantCulture) ?? "-1");
            Write(DirectoryOf(cgroup, "pids"), "pids.max", limits.MaxProcesses?.ToString(CultureInfo.InvariantCulture) ?? "max");
            return;
        }

        var directory = cgroup.Directories[0];
        Write(directory, "memory.max", limits.MemoryBytes?.ToString(CultureInfo.InvariantCulture) ?? "max");
        Write(directory, "memory.swap.max", limits.MemoryBytes is null ? "max" : "0");
        Write(directory, "cpu.max", $"{limits.CpuQuotaMicroseconds?.ToString(CultureInfo.InvariantCulture) ?? "max"} {CgroupLimits.CpuPeriodMicroseconds}");
        Write(directory, "pids.max", limits.MaxProcesses?.ToString(CultureInfo.InvariantCulture) ?? "max");
    }

    private CgroupSupport DetectAndLog()
    {
        var detected = Detect();
        if (detected.Available)
        {
            logger.LogInformation("Servers get a cgroup each ({Version}) under {Subtree}: memory, CPU and process limits are enforced by the kernel",
                detected.Version, InstanceSubtree);
        }
        else
        {
            logger.LogWarning("No cgroups for servers ({Reason}): memory is limited by RLIMIT_AS, CPU % and process counts are not enforced, " +
                              "and a child that leaves its session escapes stop and stats (docs/processes.md, Isolation)", detected.Reason);
        }

        return detected;
    }

    private CgroupSupport Detect()
    {
        if (!options.Enabled)
        {
            return CgroupSupport.None("turned off (Dashboard:Cgroups:Enabled=false)");
        }

        if (!Directory.Exists(options.Root))
        {
            return CgroupSupport.None($"{options.Root} does not exist");
        }

        string cgexec;
        try
        {
            cgexec = resolver.Resolve("cgexec", "/", Environment.GetEnvironmentVariable("PATH"));
        }
        catch (DaemonLaunchException)
        {
            return CgroupSupport.None("cgexec is not installed (Debian package cgroup-tools)");
        }

        return File.Exists(Path.Combine(options.Root, "cgroup.controllers")) ? DetectV2(cgexec) : DetectV1(cgexec);
    }

    private CgroupSupport DetectV1(string cgexec)
    {
        var missing = V1Controllers.Where(c => !File.Exists(Path.Combine(options.Root, c, "cgroup.procs"))).ToList();
        if (missing.Count > 0)
        {
            return CgroupSupport.None($"cgroup v1 controller(s) {string.Join(", ", missing)} not mounted under {options.Root}");
        }

        try
        {
            foreach (var controller in V1Controllers)
            {
                Directory.CreateDirectory(Path.Combine(options.Root, controller, InstanceSubtree));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return CgroupSupport.None($"cannot create cgroups under {options.Root} ({e.Message}; the dashboard must run as root, with a writable cgroupfs)");
        }

        return new CgroupSupport(CgroupVersion.V1, null, cgexec);
    }

    /// <summary>
    /// v2: our own cgroup must have the memory, cpu and pids controllers delegated. A cgroup with processes cannot hand
    /// controllers to children ("no internal processes"), so the dashboard first moves itself into a <c>dashboard</c> leaf,
    /// as systemd's delegation docs prescribe, then enables the controllers for the subtree.
    /// </summary>
    private CgroupSupport DetectV2(string cgexec)
    {
        var own = (selfCgroup() ?? "").Split('\n').FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..].Trim();
        if (string.IsNullOrEmpty(own))
        {
            return CgroupSupport.None("this process has no cgroup v2 path in /proc/self/cgroup");
        }

        var baseDirectory = Path.Combine(options.Root, own.TrimStart('/'));
        var available = (ReadText(Path.Combine(baseDirectory, "cgroup.controllers")) ?? "").Split(' ', '\n', StringSplitOptions.RemoveEmptyEntries);
        var missing = V2Controllers.Except(available).ToList();
        if (missing.Count > 0)
        {
            return CgroupSupport.None($"cgroup v2 controller(s) {string.Join(", ", missing)} are not delegated to the dashboard's cgroup {own} (run it under systemd with Delegate=yes, see docs/processes.md)");
        }

        try
        {
            var procs = Path.Combine(baseDirectory, "cgroup.procs");
            if ((ReadText(procs) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length > 0)
            {
                var leaf = Path.Combine(baseDirectory, "dashboard");
                Directory.CreateDirectory(leaf);
                File.WriteAllText(Path.Combine(leaf, "cgroup.procs"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            }

            var enable = string.Join(' ', V2Controllers.Select(c => "+" + c));
            File.WriteAllText(Path.Combine(baseDirectory, "cgroup.subtree_control"), enable);
            // Each level hands the controllers down: base → subtree → instance → the servers' cgroups.
            foreach (var level in new[] { Path.Combine(baseDirectory, options.Subtree), Path.Combine(baseDirectory, InstanceSubtree) })
            {
                Directory.CreateDirectory(level);
                File.WriteAllText(Path.Combine(level, "cgroup.subtree_control"), enable);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return CgroupSupport.None($"cannot set up a cgroup v2 subtree under {baseDirectory} ({e.Message})");
        }

        return new CgroupSupport(CgroupVersion.V2, null, cgexec, baseDirectory);
    }

    private string RelativeToRoot(string directory) => Path.GetRelativePath(options.Root, directory);

    private static string DirectoryOf(ServerCgroup cgroup, string controller) =>
        cgroup.Directories[Array.IndexOf(V1Controllers, controller)];

    private static void Write(string directory, string file, string value) => File.WriteAllText(Path.Combine(directory, file), value);

    private bool TryRemoveDirectory(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory); // rmdir: cgroupfs removes a cgroup's control files with it, and refuses while it has members
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogDebug("cgroup directory {Directory} not removed: {Error}", directory, e.Message);
            return false;
        }
    }

    private static long? ReadLong(string file) =>
        long.TryParse(ReadText(file)?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>A "key value" line of a flat-keyed cgroup file (memory.events, cpu.stat, memory.oom_control).</summary>
    private static long? ReadKeyed(string file, string key)
    {
        foreach (var line in (ReadText(file) ?? "").Split('\n'))
        {
            var parts = line.Split(' ', 2);
            if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }

        return null;
    }

    private static string? ReadText(string file) => ProcFileReader.TryReadAllText(file);
}
