using System.Net;
using System.Net.Sockets;
using System.Text.Json.Serialization;
using ServerDashboard.Processes;

namespace ServerDashboard.Ports;

/// <summary>A process holding a port. <see cref="ServerId"/> is set when the process belongs to a server the dashboard runs.</summary>
/// <param name="Cmdline">
/// argv joined by spaces (empty for kernel threads); null when hidden from the caller: a command line may hold a secret
/// (a server's <c>{rconPassword}</c> placeholder expands into it), so only Admins see it (see <see cref="Redacted"/>).
/// </param>
/// <param name="JobName">The background job the process belongs to (its waiting parent leads the job's session and group).</param>
public sealed record PortOwnerInfo(
    int Pid,
    string? ProcessName,
    string? Cmdline,
    string? User,
    DateTimeOffset? StartTime,
    int? ServerId,
    string? JobName)
{
    /// <summary>Who the process is (pid + start time): re-checked right before any signal.</summary>
    [JsonIgnore]
    public ProcessIdentity? Identity { get; init; }

    /// <summary>The real uid, for the "another user's process" refusal.</summary>
    [JsonIgnore]
    public int? Uid { get; init; }

    public string Describe() => $"pid {Pid} ({ProcessName ?? "?"}{(User is null ? "" : $", user {User}")})";

    /// <summary>Without the command line, for callers who may not see secrets (everyone but Admins).</summary>
    public PortOwnerInfo Redacted() => this with { Cmdline = null };
}

/// <summary>What holds a port now.</summary>
/// <param name="OwnerVisible">False when the port is in use but its holder cannot be seen (see <see cref="PortInspector.NotVisible"/>).</param>
public sealed record PortReport(int Port, PortProtocol Protocol, bool InUse, bool OwnerVisible, IReadOnlyList<PortOwnerInfo> Owners, string? Note)
{
    /// <summary>Command lines only for Admins (they may hold secrets).</summary>
    public PortReport ForCaller(bool canSeeSecrets) => canSeeSecrets ? this : this with { Owners = Owners.Select(o => o.Redacted()).ToList() };

    public string DescribeOwners() => !InUse ? "nobody"
        : Owners.Count == 0 ? PortInspector.NotVisible
        : string.Join(", ", Owners.Select(o => o.Describe()));
}

/// <summary>
/// Is a port in use, and by whom. Two views are combined: the kernel's socket tables (this network namespace) with the
/// /proc/&lt;pid&gt;/fd links of every process (all holders of a shared socket), and a bind attempt on the wildcard and
/// loopback addresses, which also sees holders the tables cannot attribute. A port that is busy but whose holder we
/// cannot see is reported as in use, never as free. Without a <see cref="ProcessRegistry"/> (the CLI) owners are not
/// matched to servers.
/// </summary>
public sealed class PortInspector(PortOwnerLookup lookup, ProcFs procFs, ProcessRegistry? registry, UserNames users, Jobs.JobRunner? jobs = null)
{
    public const string NotVisible = "in use, owner not visible to the dashboard (run as root to see it)";

    /// <summary>A bind attempt on the addresses a server would use, plus the socket tables.</summary>
    public bool IsPortInUse(int port, PortProtocol protocol) =>
        SocketTable.Holding(port, protocol).Count > 0 || !CanBindEverywhere(port, protocol);

    public PortReport FindOwner(int port, PortProtocol protocol = PortProtocol.Tcp)
    {
        PortHolders holders = lookup.FindHolders(port, protocol);
        var owners = new List<PortOwnerInfo>();
        foreach (int pid in holders.Pids)
        {
            if (Describe(pid) is { } owner)
            {
                owners.Add(owner);
            }
        }

        bool bindFails = !CanBindEverywhere(port, protocol);
        bool inUse = holders.Sockets.Count > 0 || bindFails;
        // Held, but not (all) attributed: another user's process we may not inspect, or a socket of another network
        // namespace (a container's) that shares the port with us through the wildcard bind.
        bool visible = !inUse || (owners.Count > 0 && !holders.HasInvisibleSockets);
        string? note = !inUse ? null
            : owners.Count == 0 ? NotVisible
            : !visible ? "some holders are not visible to the dashboard (run as root to see them)"
            : null;
        return new PortReport(port, protocol, inUse, visible, owners, note);
    }

    /// <summary>The process as it is now; null if it has gone.</summary>
    public PortOwnerInfo? Describe(int pid)
    {
        if (procFs.TryReadStat(pid) is not { } stat)
        {
            return null;
        }

        int? uid = procFs.TryReadUid(pid);
        IReadOnlyList<string> cmdline = procFs.TryReadCmdline(pid) ?? [];
        return new PortOwnerInfo(
            pid,
            stat.Comm,
            string.Join(' ', cmdline),
            uid is { } u ? users.NameOf(u) : null,
            procFs.StartTimeOf(stat.StartTime),
            ServerOf(stat),
            JobOf(stat))
        {
            Identity = new ProcessIdentity(procFs.BootId, pid, stat.StartTime),
            Uid = uid,
        };
    }

    /// <summary>
    /// A daemon we launched leads its own session (POSIX_SPAWN_SETSID), and its children stay in it: a process whose
    /// session or group is a live tracked daemon's belongs to that server.
    /// </summary>
    private int? ServerOf(ProcStat stat)
    {
        foreach (TrackedProcess entry in registry?.Entries ?? [])
        {
            if (!entry.HasExited && (entry.Pid == stat.SessionId || entry.Pid == stat.ProcessGroupId || entry.Pid == stat.Pid)
                && procFs.IsAlive(entry.Identity)
                && int.TryParse(entry.ServerId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int id))
            {
                return id;
            }
        }

        return null;
    }

    /// <summary>A running job whose leader (the waiting parent, launched in its own session) is this process or leads its
    /// group or session, identity checked against the start time in the job's status file.</summary>
    private string? JobOf(ProcStat stat)
    {
        foreach (var job in jobs?.ListCurrent() ?? [])
        {
            if (job.Record is { Status: Jobs.JobStates.Running, Pid: > 0 and var leader, ProcessStartTime: { } started }
                && (leader == stat.Pid || leader == stat.ProcessGroupId || leader == stat.SessionId)
                && procFs.IsAlive(new ProcessIdentity(procFs.BootId, leader, started)))
            {
                return job.Name;
            }
        }

        return null;
    }

    private bool CanBindEverywhere(int port, PortProtocol protocol) =>
        lookup.CanBindNow(IPAddress.Any, port, protocol)
        && lookup.CanBindNow(IPAddress.Loopback, port, protocol)
        && (!Socket.OSSupportsIPv6 || lookup.CanBindNow(IPAddress.IPv6Any, port, protocol));
}
