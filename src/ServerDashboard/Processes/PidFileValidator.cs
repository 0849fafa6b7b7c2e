using Microsoft.Extensions.Logging;

namespace ServerDashboard.Processes;

public enum PidFileOutcome
{
    /// <summary>The file names a live process that is provably ours: adopt it.</summary>
    Valid,
    /// <summary>No PID file: the server is not running (as far as files go).</summary>
    Missing,
    /// <summary>Empty or unparsable: removed.</summary>
    Unparsable,
    /// <summary>No such process: removed.</summary>
    ProcessGone,
    /// <summary>The process exited and was not reaped: reaped if it is our child, file removed.</summary>
    Zombie,
    /// <summary>Written before the last reboot: removed.</summary>
    BootIdChanged,
    /// <summary>The pid now belongs to another process (start time differs): removed, that process is left alone.</summary>
    PidReused,
    /// <summary>Same pid and start time, but exe/cmdline differ from what we launched: removed, process left alone.</summary>
    ProgramChanged,
    /// <summary>Legacy file naming a live process we cannot prove is ours: not adopted, not signalled, file kept.</summary>
    Unverifiable,
    /// <summary>File not trusted (symlink, permissions, owner, size): not read, file kept for the operator.</summary>
    Refused,
}

/// <summary>The verdict on one PID file. <see cref="Identity"/> is set for <see cref="PidFileOutcome.Valid"/>.</summary>
public sealed record PidFileValidation(
    PidFileOutcome Outcome,
    string ServerId,
    int? Pid,
    string Reason,
    string Path,
    PidFileRecord? Record,
    ProcessIdentity? Identity,
    bool FileRemoved,
    ExitStatus? ReapedStatus = null)
{
    public bool IsValid => Outcome == PidFileOutcome.Valid;
}

/// <summary>
/// Linux-only: decides whether a PID file still describes a live daemon of ours, removes stale files and logs each
/// verdict in one line (server id, pid, reason). It never sends a signal: a process we cannot prove is ours is left alone.
/// </summary>
public sealed class PidFileValidator(PidFileStore store, ProcFs procFs, ChildReaper reaper, ILogger<PidFileValidator> logger)
{
    /// <param name="lookup">What the server's process should look like, asked only for a file that proves nothing on its
    /// own (legacy, or without start time or boot id): the lookup reads the caller's records (a database query per server
    /// was ≈ 10 ms of every re-adoption at start-up, for files that did not need it).</param>
    public PidFileValidation Validate(string serverId, ExpectedProcessLookup? lookup = null)
    {
        PidFileReadResult read = store.Read(serverId);
        PidFileValidation verdict = Judge(serverId, read, lookup);
        if (verdict.FileRemoved)
        {
            store.DeletePath(read.Path);
        }

        Log(verdict);
        return verdict;
    }

    private PidFileValidation Judge(string serverId, PidFileReadResult read, ExpectedProcessLookup? lookup)
    {
        PidFileValidation Verdict(PidFileOutcome outcome, string reason, bool remove, ProcessIdentity? identity = null, ExitStatus? reaped = null) =>
            new(outcome, serverId, read.Record?.Pid, reason, read.Path, read.Record, identity, remove, reaped);

        switch (read.Status)
        {
            case PidFileReadStatus.Missing:
                return Verdict(PidFileOutcome.Missing, "no PID file, not running", remove: false);
            case PidFileReadStatus.Empty or PidFileReadStatus.Unparsable:
                return Verdict(PidFileOutcome.Unparsable, $"file {read.Reason}; removed", remove: true);
            case PidFileReadStatus.Refused:
                return Verdict(PidFileOutcome.Refused, $"file {read.Reason}; refused, left in place and not adopted", remove: false);
        }

        PidFileRecord record = read.Record!;
        if (record.BootId is not null && !string.Equals(record.BootId, procFs.BootId, StringComparison.OrdinalIgnoreCase))
        {
            return Verdict(PidFileOutcome.BootIdChanged, $"written during another boot (boot id {record.BootId}, now {procFs.BootId}); stale, removed", remove: true);
        }

        ProcStat? stat = procFs.TryReadStat(record.Pid);
        if (stat is null)
        {
            return Verdict(PidFileOutcome.ProcessGone, "process no longer exists; removed", remove: true);
        }

        if (record.ProcessStartTime is ulong startTime && stat.StartTime != startTime)
        {
            return Verdict(PidFileOutcome.PidReused,
                $"pid now belongs to another process '{stat.Comm}' (start time {stat.StartTime}, file says {startTime}); stale, removed, that process is left alone",
                remove: true);
        }

        if (!record.IsLegacy && stat.SessionId != record.Pid && !stat.IsZombieOrDead)
        {
            // Start time has clock-tick resolution (10 ms): a pid reused within the tick of the daemon's start passes
            // the check above (seen once in the pid-reuse torture test). Every daemon the dashboard starts leads its own
            // session (posix_spawn with setsid), and the kernel frees a pid only when no session or group still uses
            // it as an id, so a live process on that pid that does not lead session <pid> is someone else.
            return Verdict(PidFileOutcome.PidReused,
                $"pid now belongs to another process '{stat.Comm}' (same start time, but it does not lead session {record.Pid} as the daemon did: session {stat.SessionId}); stale, removed, that process is left alone",
                remove: true);
        }

        if (stat.IsZombieOrDead)
        {
            // Only our own child can be reaped; anyone else's zombie is its parent's business.
            ReapResult reap = reaper.TryReap(record.Pid);
            string reaped = reap.State == ReapState.Reaped ? $"reaped ({reap.Status})" : "not our child, not reaped";
            return Verdict(PidFileOutcome.Zombie, $"process exited (zombie), {reaped}; removed", remove: true, reaped: reap.Status);
        }

        var identity = new ProcessIdentity(procFs.BootId, record.Pid, stat.StartTime);
        string? exe = procFs.TryReadExe(record.Pid) is { } link ? DaemonLauncher.StripDeletedSuffix(link) : null;
        IReadOnlyList<string>? cmdline = procFs.TryReadCmdline(record.Pid);

        // A JSON file without start time or boot id proves no more than a legacy one: exe alone would also match
        // another instance of the same program that got the pid (found by the PID-file fuzz).
        if (record.IsLegacy || record.ProcessStartTime is null || record.BootId is null)
        {
            ExpectedProcess? expected = lookup?.Invoke(serverId);
            if (expected is null)
            {
                return Verdict(PidFileOutcome.Unverifiable,
                    $"{(record.IsLegacy ? "legacy PID file" : "PID file without start time or boot id")} names live process '{stat.Comm}' and no expected command is known to verify it; not adopted, not signalled, file kept",
                    remove: false);
            }

            return expected.Matches(cmdline, exe)
                ? Verdict(PidFileOutcome.Valid, $"legacy PID file verified by command line ({exe ?? stat.Comm}); adopted", remove: false, identity)
                : Verdict(PidFileOutcome.ProgramChanged,
                    $"legacy PID file names '{Describe(cmdline, stat.Comm)}', not the expected '{Describe(expected.Argv, "?")}'; stale, removed, that process is left alone",
                    remove: true);
        }

        // Start time and boot id already prove identity; exe catches an exec() into another program. The command line
        // is the fallback when exe is unreadable, because some programs rewrite their argv (setproctitle).
        if (record.Exe is not null && exe is not null)
        {
            if (!string.Equals(record.Exe, exe, StringComparison.Ordinal))
            {
                return Verdict(PidFileOutcome.ProgramChanged, $"process now runs {exe}, not {record.Exe}; stale, removed, that process is left alone", remove: true);
            }
        }
        else if (record.Cmd.Count > 0 && cmdline is { Count: > 0 } && !cmdline.SequenceEqual(record.Cmd, StringComparer.Ordinal))
        {
            return Verdict(PidFileOutcome.ProgramChanged,
                $"process command line is '{Describe(cmdline, stat.Comm)}', not '{Describe(record.Cmd, "?")}'; stale, removed, that process is left alone",
                remove: true);
        }

        return Verdict(PidFileOutcome.Valid, $"process alive ({exe ?? stat.Comm}), identity verified", remove: false, identity);
    }

    private void Log(PidFileValidation v)
    {
        LogLevel level = v.Outcome switch
        {
            PidFileOutcome.Missing => LogLevel.Trace, // asked on every IsRunning of a stopped server
            PidFileOutcome.Valid => LogLevel.Information,
            PidFileOutcome.ProcessGone or PidFileOutcome.Zombie or PidFileOutcome.BootIdChanged => LogLevel.Information,
            _ => LogLevel.Warning,
        };
        logger.Log(level, "PID file check: server {ServerId}, pid {Pid}: {Outcome} - {Reason} ({Path})",
            v.ServerId, v.Pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none", v.Outcome, Text.LogText.Escape(v.Reason), v.Path);
    }

    // The program and the argument count only: an argv may carry a secret ({rconPassword}), and this goes to the log.
    private static string Describe(IReadOnlyList<string>? cmdline, string comm) =>
        cmdline is { Count: > 0 } ? $"{cmdline[0]} (+{cmdline.Count - 1} args)" : comm;
}
