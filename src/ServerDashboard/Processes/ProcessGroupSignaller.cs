using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Processes;

/// <summary>
/// Linux-only: signals a daemon's whole process group, and hunts down members that outlive their leader.
/// Nothing is signalled without first proving who it is: a reused PID is never signalled.
/// </summary>
public sealed class ProcessGroupSignaller(ProcFs procFs, ProcessHandles handles, Cgroups.CgroupManager cgroups, ILogger<ProcessGroupSignaller> logger)
{
    /// <summary>
    /// Signals the group led by <paramref name="entry"/> (pgid == sid == leader pid, thanks to POSIX_SPAWN_SETSID).
    /// kill(-pgid) is used while the leader's identity checks out: for our own child the pid stays reserved until we
    /// reap it (and reaping happens under the same lock); for an adopted leader the window between check and kill is
    /// microseconds and would need the whole PID space to wrap. Once the leader is gone, every remaining member is
    /// signalled one by one through a verified pidfd. Returns how many targets were signalled (the group counts as one).
    /// </summary>
    public int SignalGroup(TrackedProcess entry, int signal)
    {
        lock (entry.Gate)
        {
            IdentityStatus status = entry.HasExited ? IdentityStatus.Gone : procFs.Check(entry.Identity);
            bool leaderHoldsPid = status == IdentityStatus.Alive || (status == IdentityStatus.Zombie && entry.IsOurChild);
            if (leaderHoldsPid)
            {
                if (LinuxNative.kill(-entry.Pid, signal) == 0)
                {
                    logger.LogDebug("Sent signal {Signal} to process group {Pgid} of {Entry}", signal, entry.Pid, entry);
                    // Members that left the group but not the session were not reached; signal only them (a second
                    // SIGTERM means "force quit" to some servers, so group members must not get it twice). A /proc
                    // snapshot begun after this kill sees every member a fresh scan would, and concurrent stops
                    // (shutdown-all) share it instead of scanning /proc once each.
                    long afterKill = System.Diagnostics.Stopwatch.GetTimestamp();
                    return 1 + SignalMembers(entry.Pid, entry.Cgroup, LiveMembers(entry, afterKill), signal, skipGroupMembers: true);
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno != LinuxNative.ESRCH)
                {
                    throw LinuxNative.IOFromErrno(errno, $"kill(-{entry.Pid}, {signal})");
                }
            }
        }

        return SignalStragglers(entry, signal);
    }

    /// <summary>
    /// Live processes of the server's tree (zombies and the dashboard excluded): with a readable cgroup its members (a
    /// child that called setsid() or double-forked is still one); otherwise its process group and session.
    /// </summary>
    public IReadOnlyList<ProcStat> LiveMembers(TrackedProcess entry, long? notBefore = null)
    {
        if (entry.Cgroup is { } own && cgroups.TryMembers(own) is { } inCgroup)
        {
            // The cgroup is the exact tree: every process the daemon starts is born in it (cgexec joined it before the
            // server's first instruction), setsid() and double forks included, and only a privileged write to cgroupfs
            // takes one out; such a process could as well have left the session. So its member list answers without the
            // /proc pass over every process, which a hundred concurrent stops would otherwise make a hundred times.
            return inCgroup.Where(pid => pid != Environment.ProcessId)
                .Select(procFs.TryReadStat)
                .OfType<ProcStat>()
                .Where(s => !s.IsZombieOrDead)
                .ToList();
        }

        var members = LiveMembers(entry.Pid, notBefore).ToList();
        if (entry.Cgroup is { } cgroup)
        {
            foreach (int pid in cgroups.Members(cgroup))
            {
                if (pid != Environment.ProcessId && members.All(m => m.Pid != pid) && procFs.TryReadStat(pid) is { IsZombieOrDead: false } stat)
                {
                    members.Add(stat);
                }
            }
        }

        return members;
    }

    /// <summary>Live processes still in the group or session <paramref name="groupId"/> (zombies excluded, the dashboard excluded).</summary>
    public IReadOnlyList<ProcStat> LiveMembers(int groupId, long? notBefore = null) =>
        procFs.ListGroupOrSession(groupId, notBefore).Where(s => !s.IsZombieOrDead && s.Pid != Environment.ProcessId).ToList();

    /// <summary>
    /// Signals the group led by <paramref name="leader"/>, for callers that track a process without a
    /// <see cref="TrackedProcess"/> (background jobs). The same rule: kill(-pgid) only while the leader's identity checks
    /// out (a zombie leader counts only when it is our unreaped child, whose pid cannot be reused); otherwise each
    /// remaining member through a verified pidfd.
    /// </summary>
    public int SignalGroup(ProcessIdentity leader, bool isOurChild, int signal)
    {
        IdentityStatus status = procFs.Check(leader);
        if (status == IdentityStatus.Alive || (status == IdentityStatus.Zombie && isOurChild))
        {
            if (LinuxNative.kill(-leader.Pid, signal) == 0)
            {
                logger.LogDebug("Sent signal {Signal} to process group {Pgid}", signal, leader.Pid);
                return 1 + SignalStragglers(leader.Pid, signal, skipGroupMembers: true);
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != LinuxNative.ESRCH)
            {
                throw LinuxNative.IOFromErrno(errno, $"kill(-{leader.Pid}, {signal})");
            }
        }

        // Leader gone: members left in its group or session still hold the id (Linux never hands out a pid that is a live
        // group's or session's id). Once the pid belongs to someone else, that group may be theirs: signal nothing.
        return status is IdentityStatus.Gone or IdentityStatus.Zombie ? SignalStragglers(leader.Pid, signal) : 0;
    }

    /// <summary>
    /// Signals each live member of the tree other than through the group signal (a member that moved to another group of
    /// the same session, or left the session but not the cgroup). Each one gets its own pidfd, verified to still be that
    /// member before the signal goes out.
    /// </summary>
    public int SignalStragglers(TrackedProcess entry, int signal, bool skipGroupMembers = false) =>
        SignalMembers(entry.Pid, entry.Cgroup, LiveMembers(entry), signal, skipGroupMembers);

    /// <summary>The same for a group without a <see cref="TrackedProcess"/> (background jobs): its group and session.</summary>
    public int SignalStragglers(int groupId, int signal, bool skipGroupMembers = false) =>
        SignalMembers(groupId, null, LiveMembers(groupId), signal, skipGroupMembers);

    private int SignalMembers(int groupId, Cgroups.ServerCgroup? cgroup, IReadOnlyList<ProcStat> members, int signal, bool skipGroupMembers)
    {
        int signalled = 0;
        foreach (ProcStat member in members)
        {
            if (skipGroupMembers && member.ProcessGroupId == groupId)
            {
                continue;
            }

            var identity = new ProcessIdentity(procFs.BootId, member.Pid, member.StartTime);
            using var pidfd = handles.TryOpenVerified(identity);
            if (pidfd is null)
            {
                continue;
            }

            // Re-read after opening the pidfd: the process it refers to must still be in the group, session or cgroup.
            bool stillMember = procFs.TryReadStat(member.Pid) is { } now && (now.ProcessGroupId == groupId || now.SessionId == groupId)
                               || (cgroup is not null && cgroups.Contains(cgroup, member.Pid));
            if (stillMember && handles.TrySignal(pidfd, signal))
            {
                signalled++;
            }
        }

        return signalled;
    }
}
