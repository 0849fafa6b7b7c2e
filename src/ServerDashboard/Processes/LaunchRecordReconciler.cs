using Microsoft.Extensions.Logging;
using ServerDashboard.Text;

namespace ServerDashboard.Processes;

/// <summary>
/// Linux-only: finishes launches a dashboard did not live to finish. A launch record (<c>run/&lt;id&gt;.launch</c>) is written
/// before the spawn and removed once the PID file is in place; one still there means the dashboard died in between. The
/// daemon, if it was spawned, carries the record's <see cref="LaunchMarker"/> in its environment: it is found in /proc,
/// its PID file is written from the record, and the normal validation then adopts it. See docs/pid-file.md.
/// </summary>
public sealed class LaunchRecordReconciler(
    PidFileStore store,
    ProcFs procFs,
    LaunchCommandBuilder commandBuilder,
    TimeProvider time,
    ILogger<LaunchRecordReconciler> logger)
{
    private static readonly TimeSpan ExecSettleTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ExecSettlePoll = TimeSpan.FromMilliseconds(5);

    /// <summary>What happened to one launch record.</summary>
    public enum Outcome
    {
        /// <summary>No launch record.</summary>
        None,
        /// <summary>The PID file was already written: the record was only left over.</summary>
        AlreadyFinished,
        /// <summary>The daemon was found by its marker; its PID file is written now.</summary>
        PidFileWritten,
        /// <summary>No live process carries the marker: never spawned, or already exited. Record removed.</summary>
        NoProcess,
        /// <summary>Refused (symlink, mode, owner) and left in place; or unreadable and removed.</summary>
        Refused,
    }

    /// <summary>Reconciles every launch record in the run directory (start-up, before the PID files are validated).</summary>
    public IReadOnlyList<(string ServerId, Outcome Outcome, int? Pid)> ReconcileAll()
    {
        var results = new List<(string, Outcome, int?)>();
        foreach (string serverId in store.ListLaunchRecordIds())
        {
            (Outcome outcome, int? pid) = Reconcile(serverId);
            results.Add((serverId, outcome, pid));
        }

        return results;
    }

    public (Outcome Outcome, int? Pid) Reconcile(string serverId)
    {
        PidFileReadResult read = store.ReadLaunchRecord(serverId);
        switch (read.Status)
        {
            case PidFileReadStatus.Missing:
                return (Outcome.None, null);
            case PidFileReadStatus.Refused:
                logger.LogWarning("Launch record of server {ServerId} {Reason}; left in place ({Path})", serverId, LogText.Escape(read.Reason), read.Path);
                return (Outcome.Refused, null);
            case not PidFileReadStatus.Ok:
                logger.LogWarning("Launch record of server {ServerId} {Reason}; removed ({Path})", serverId, LogText.Escape(read.Reason), read.Path);
                store.DeleteLaunchRecord(serverId);
                return (Outcome.Refused, null);
        }

        PidFileRecord record = read.Record!;
        if (store.Exists(serverId))
        {
            // The PID file was written and the dashboard died before removing the record: the PID file is the finished form.
            store.DeleteLaunchRecord(serverId);
            logger.LogInformation("Launch record of server {ServerId}: its PID file was already written; record removed", serverId);
            return (Outcome.AlreadyFinished, null);
        }

        if (record.BootId is not null && !string.Equals(record.BootId, procFs.BootId, StringComparison.OrdinalIgnoreCase))
        {
            store.DeleteLaunchRecord(serverId);
            logger.LogInformation("Launch record of server {ServerId} was written during another boot; removed", serverId);
            return (Outcome.NoProcess, null);
        }

        ProcStat? daemon = FindByMarker(record.LaunchId!);
        if (daemon is null)
        {
            store.DeleteLaunchRecord(serverId);
            logger.LogInformation(
                "Launch record of server {ServerId}: no live process carries its launch marker (the dashboard stopped before the spawn, or the daemon exited); removed",
                serverId);
            return (Outcome.NoProcess, null);
        }

        string exe = WaitForRealProgram(daemon.Pid, record.Exe);
        PidFileRecord finished = record with
        {
            Pid = daemon.Pid,
            ProcessStartTime = daemon.StartTime,
            BootId = procFs.BootId,
            Exe = exe,
        };
        store.Write(finished);
        store.DeleteLaunchRecord(serverId);
        logger.LogWarning(
            "Launch record of server {ServerId}: found its daemon pid {Pid} by its launch marker (the dashboard had stopped mid-launch); PID file written",
            serverId, daemon.Pid);
        return (Outcome.PidFileWritten, daemon.Pid);
    }

    /// <summary>The live session leader whose environment holds the marker (our daemons lead their own session).</summary>
    private ProcStat? FindByMarker(string launchId)
    {
        foreach (int pid in procFs.ListPids())
        {
            // Cheap filter first: only session leaders can be a daemon we spawned with POSIX_SPAWN_SETSID.
            if (procFs.TryReadStat(pid) is not { } stat || stat.SessionId != pid || stat.IsZombieOrDead)
            {
                continue;
            }

            if (procFs.TryReadSettledEnviron(pid, time, ExecSettleTimeout) is { } environ && LaunchMarker.IsIn(environ, launchId))
            {
                return stat;
            }
        }

        return null;
    }

    /// <summary>As at launch: prlimit/setpriv exec the program within milliseconds; record the program, not the wrapper.</summary>
    private string WaitForRealProgram(int pid, string? expected)
    {
        long deadline = time.GetTimestamp() + (long)(ExecSettleTimeout.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            string? exe = procFs.TryReadExe(pid);
            if (exe is not null && !commandBuilder.IsWrapper(exe))
            {
                return DaemonLauncher.StripDeletedSuffix(exe);
            }

            if (exe is null || time.GetTimestamp() > deadline)
            {
                return expected ?? exe ?? "";
            }

            Thread.Sleep(ExecSettlePoll);
        }
    }
}
