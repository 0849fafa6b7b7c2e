using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace ServerDashboard.Processes;

/// <summary>Result of <see cref="ProcessRegistry.LoadFromDiskAsync"/>.</summary>
/// <param name="Kept">Refused or unverifiable files left in place (see the warnings logged for each).</param>
public sealed record PidFileLoadSummary(int Loaded, int Cleaned, int Kept, IReadOnlyList<PidFileValidation> Validations);

/// <summary>
/// Linux-only: the daemons this dashboard tracks, keyed by server id, backed by the PID files in the run directory.
/// Memory is a cache of the disk: anything not in memory is looked up (and verified) in its PID file.
/// </summary>
public sealed class ProcessRegistry(
    PidFileStore store,
    PidFileValidator validator,
    LaunchRecordReconciler reconciler,
    ProcFs procFs,
    ProcessHandles handles,
    ChildReaper reaper,
    DaemonExitFeed exitFeed,
    Cgroups.CgroupManager cgroups,
    StopIntents stopIntents,
    TimeProvider time,
    IOptions<ProcessOptions> options,
    ILogger<ProcessRegistry> logger,
    ExpectedProcessLookup? expectedProcessLookup = null)
{
    private readonly ConcurrentDictionary<string, TrackedProcess> _entries = new(StringComparer.Ordinal);
    private int _recoveredLeftovers;

    public string PidDirectory => store.RunDirectory;

    /// <summary>Raised when a daemon is tracked (launched or adopted): <see cref="PidfdExitWatcher"/> adds its pidfd.</summary>
    public event Action? Changed;

    public IReadOnlyCollection<TrackedProcess> Entries => _entries.Values.ToList();

    public TrackedProcess? Get(string serverId) => _entries.GetValueOrDefault(serverId);

    /// <summary>True if the server's daemon is alive and provably ours (memory first, then its PID file).</summary>
    public bool IsRunning(string serverId, ExpectedProcess? expected = null) => GetRunning(serverId, expected) is not null;

    /// <summary>
    /// The live entry for <paramref name="serverId"/>: from memory if its identity still checks out, otherwise from a
    /// valid PID file, which is then adopted into memory with <see cref="TrackedProcess.LoadedFromDisk"/> set.
    /// </summary>
    public TrackedProcess? GetRunning(string serverId, ExpectedProcess? expected = null)
    {
        if (_entries.TryGetValue(serverId, out TrackedProcess? entry) && !entry.HasExited)
        {
            PollExit(entry);
            if (!entry.HasExited)
            {
                return entry;
            }
        }

        PidFileValidation verdict = validator.Validate(serverId, expected is not null ? _ => expected : expectedProcessLookup);
        return verdict.IsValid ? Adopt(verdict) : null;
    }

    /// <summary>
    /// Start-up reconciliation: validates every PID file in the run directory, adopts live daemons, removes stale files.
    /// Run it before serving requests. Safe to call again (already-tracked live servers are skipped).
    /// </summary>
    public Task<PidFileLoadSummary> LoadFromDiskAsync(ExpectedProcessLookup? lookup = null, CancellationToken cancellationToken = default)
    {
        long started = time.GetTimestamp();
        store.EnsureRunDirectory();
        // Only the first load (start-up, before any start of ours) looks at what an earlier run left mid-write: later loads
        // (cleanup) could otherwise take a temp file or launch record of a start under way for a leftover.
        if (Interlocked.Exchange(ref _recoveredLeftovers, 1) == 0)
        {
            (int finishedTemps, int removedTemps) = store.ExamineLeftoverTempFiles();
            if (finishedTemps + removedTemps > 0)
            {
                logger.LogInformation("Left-over temporary PID/launch files: {Finished} finished, {Removed} removed", finishedTemps, removedTemps);
            }

            // Launches a dashboard did not live to finish: their daemons get their PID files now, so the loop below adopts them.
            foreach ((string serverId, LaunchRecordReconciler.Outcome outcome, int? pid) in reconciler.ReconcileAll())
            {
                if (outcome == LaunchRecordReconciler.Outcome.PidFileWritten)
                {
                    logger.LogInformation("Server {ServerId}: daemon pid {Pid} recovered from its launch record", serverId, pid);
                }
            }
        }

        // Stops a stop-all accepted before the dashboard died: applied to the daemons below as they are adopted.
        stopIntents.LoadOnce();
        int loaded = 0, cleaned = 0, kept = 0;
        var validations = new List<PidFileValidation>();
        foreach (string serverId in store.ListServerIds())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_entries.TryGetValue(serverId, out TrackedProcess? existing) && !existing.HasExited)
            {
                continue;
            }

            PidFileValidation verdict;
            try
            {
                verdict = validator.Validate(serverId, lookup ?? expectedProcessLookup);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // One unreadable file must not stop the others from loading.
                logger.LogWarning("PID file check: server {ServerId}, pid unknown: failed - {Error}", serverId, Text.LogText.Escape(e.Message));
                kept++;
                continue;
            }

            validations.Add(verdict);
            if (verdict.IsValid && Adopt(verdict) is not null)
            {
                loaded++;
            }
            else if (verdict.FileRemoved)
            {
                cleaned++;
            }
            else
            {
                kept++;
            }
        }

        stopIntents.Sweep();
        // Cgroups of ours that no live server uses (a dashboard killed between a server's exit and its cleanup): empty ones go.
        IReadOnlyList<string> staleCgroups = cgroups.RemoveStale(_entries.Values.Where(e => !e.HasExited).Select(e => e.ServerId).ToHashSet(StringComparer.Ordinal));
        if (staleCgroups.Count > 0)
        {
            logger.LogInformation("Removed {Count} stale cgroup(s): {Names}", staleCgroups.Count, string.Join(", ", staleCgroups));
        }

        if (kept > 0)
        {
            logger.LogInformation("PID file loading complete: loaded={Loaded}, cleaned={Cleaned}, kept={Kept} (refused or unverifiable, see above) in {ElapsedMs:0.0} ms",
                loaded, cleaned, kept, time.GetElapsedTime(started).TotalMilliseconds);
        }
        else
        {
            logger.LogInformation("PID file loading complete: loaded={Loaded}, cleaned={Cleaned} in {ElapsedMs:0.0} ms", loaded, cleaned, time.GetElapsedTime(started).TotalMilliseconds);
        }

        return Task.FromResult(new PidFileLoadSummary(loaded, cleaned, kept, validations));
    }

    /// <summary>Records a daemon this dashboard just launched (its PID file is already written).</summary>
    internal TrackedProcess TrackLaunched(LaunchedDaemon daemon, PidFileRecord record, Cgroups.ServerCgroup? cgroup = null)
    {
        // Our unreaped child cannot change identity under us, so a pidfd opened now is for it (null if it already exited).
        SafeFileHandle? pidfd = handles.TryOpenVerified(daemon.Identity);
        var entry = new TrackedProcess(record.ServerId, daemon.Identity, store.PathFor(record.ServerId), record,
            loadedFromDisk: false, isOurChild: true, time.GetUtcNow(), pidfd) { Cgroup = cgroup };
        Replace(entry);
        return entry;
    }

    /// <summary>Checks every tracked daemon for an exit (called periodically by <see cref="ExitMonitor"/>).</summary>
    /// <param name="skipWatched">
    /// True while <see cref="PidfdExitWatcher"/> runs: daemons with an open pidfd are its own, only the others are polled.
    /// </param>
    /// <returns>Whether any live daemon had to be polled (one the watcher does not cover).</returns>
    public bool PollExits(bool skipWatched = false)
    {
        var polled = false;
        foreach (TrackedProcess entry in _entries.Values)
        {
            if (!entry.HasExited && !(skipWatched && entry.Pidfd is { IsClosed: false }))
            {
                PollExit(entry);
                polled = true;
            }
        }

        return polled;
    }

    /// <summary>
    /// Checks one daemon for an exit: waitpid(WNOHANG) for our own child (real exit code, no zombie left), a pidfd poll for
    /// an adopted daemon (PID 1 reaps it; the code is unknown). Records the exit, deletes the PID file, publishes it on <see cref="DaemonExitFeed"/>.
    /// </summary>
    public ExitStatus? PollExit(TrackedProcess entry)
    {
        ExitStatus? status;
        lock (entry.Gate)
        {
            if (entry.HasExited)
            {
                return entry.LastExit;
            }

            status = DetectExit(entry);
            if (status is null || !entry.TryMarkExited(status, time.GetUtcNow()))
            {
                return entry.LastExit;
            }
        }

        DeleteFileIfStillOurs(entry);
        stopIntents.Released(entry);
        bool oomKilled = entry.Cgroup is { } cgroup && cgroups.OomKills(cgroup) > 0; // a fresh cgroup per run: any kill is this run's
        logger.LogInformation("Daemon of server {ServerId} (pid {Pid}) exited: {Status}{Oom}{Requested}",
            entry.ServerId, entry.Pid, status, oomKilled ? " (the OOM killer acted at its memory limit)" : "", entry.StopRequested ? " (stop requested)" : "");
        if (!entry.StopRequested)
        {
            ReleaseCgroup(entry);
        }

        exitFeed.Publish(new DaemonExit(entry.ServerId, entry.Pid, status, entry.ExitedAt!.Value, entry.IsOurChild, entry.StopRequested, oomKilled));
        return status;
    }

    /// <summary>
    /// The leader is gone on its own: what is left of its tree goes with it, as systemd does for a service whose main process
    /// exited (a leftover would hold the port or the world files against the restart), then the cgroup is removed.
    /// A stop (<see cref="DaemonManager"/>) does the same once the tree is empty.
    /// </summary>
    internal void ReleaseCgroup(TrackedProcess entry)
    {
        if (entry.Cgroup is not { } cgroup)
        {
            return;
        }

        // A member may be mid-fork when the list is read (its child is not listed yet): kill until nothing live is left,
        // briefly; this runs once per exit, on the exit monitor's thread.
        int leftovers = 0;
        for (int round = 0; round < 50; round++)
        {
            int killed = cgroups.KillAll(cgroup);
            leftovers += killed;
            if (killed == 0 && cgroups.Members(cgroup).All(pid => procFs.TryReadStat(pid) is null or { IsZombieOrDead: true }))
            {
                break;
            }

            Thread.Sleep(10);
        }

        if (leftovers > 0)
        {
            logger.LogWarning("Server {ServerId}: killed {Count} process(es) left in its cgroup after its main process exited", entry.ServerId, leftovers);
        }

        // A just-killed member may take a moment to leave; the next start or the start-up sweep removes the cgroup then.
        cgroups.TryRemove(cgroup);
    }

    /// <summary>Forgets every exited daemon and deletes any PID file it left. Returns how many were dropped.</summary>
    public int CleanupDead()
    {
        PollExits();
        int dropped = 0;
        foreach (TrackedProcess entry in _entries.Values.Where(e => e.HasExited))
        {
            if (_entries.TryRemove(new KeyValuePair<string, TrackedProcess>(entry.ServerId, entry)))
            {
                DeleteFileIfStillOurs(entry);
                dropped++;
            }
        }

        if (dropped > 0)
        {
            logger.LogInformation("Dropped {Count} exited daemon(s) from tracking", dropped);
        }

        return dropped;
    }

    /// <summary>
    /// <see cref="CleanupDead"/>, then re-validates every PID file on disk so stale ones are removed too. Live daemons
    /// (tracked or adopted by this sweep) are kept: cleaning up never stops a server.
    /// </summary>
    public async Task<int> CleanupAllAsync(CancellationToken cancellationToken = default)
    {
        int dropped = CleanupDead();
        PidFileLoadSummary summary = await LoadFromDiskAsync(cancellationToken: cancellationToken);
        return dropped + summary.Cleaned;
    }

    /// <summary>
    /// Operator escape hatch: forgets the server and deletes its PID file whatever state it is in (refused, unverifiable,
    /// alive). Sends no signal. Returns whether there was anything to forget.
    /// </summary>
    public bool ForceCleanup(string serverId)
    {
        bool removed = _entries.TryRemove(serverId, out TrackedProcess? entry);
        entry?.Pidfd?.Dispose();
        if (entry is not null)
        {
            stopIntents.Released(entry);
        }

        bool deleted = store.Delete(serverId);
        logger.LogWarning("Force cleanup of server {ServerId} (pid {Pid}): forgotten={Forgotten}, PID file deleted={Deleted}; no signal sent",
            serverId, entry?.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown", removed, deleted);
        return removed || deleted;
    }

    internal void DeleteFileIfStillOurs(TrackedProcess entry)
    {
        // A new launch of the same server may already have written a new PID file: only delete one naming our pid.
        PidFileReadResult current = store.ReadPath(entry.PidFilePath, entry.ServerId);
        if (current.Record is null || current.Record.Pid == entry.Pid)
        {
            if (current.Status != PidFileReadStatus.Missing && current.Status != PidFileReadStatus.Refused)
            {
                store.DeletePath(entry.PidFilePath);
            }
        }
    }

    private TrackedProcess? Adopt(PidFileValidation verdict)
    {
        ProcessIdentity identity = verdict.Identity!;
        SafeFileHandle? pidfd = handles.TryOpenVerified(identity);
        if (pidfd is null)
        {
            logger.LogInformation("PID file check: server {ServerId}, pid {Pid}: exited while being adopted", verdict.ServerId, identity.Pid);
            return null;
        }

        PidFileRecord record = verdict.Record!;
        if (record.IsLegacy || record.ProcessStartTime is null || record.BootId is null)
        {
            record = UpgradeLegacy(record, identity);
        }

        var entry = new TrackedProcess(verdict.ServerId, identity, verdict.Path, record,
            loadedFromDisk: true, isOurChild: false, time.GetUtcNow(), pidfd) { Cgroup = FindCgroup(verdict.ServerId, record, identity.Pid) };
        stopIntents.Apply(entry);
        Replace(entry);
        return entry;
    }

    /// <summary>An adopted daemon's cgroup, checked: the name must be the one we give this server and the PID a member of it.</summary>
    private Cgroups.ServerCgroup? FindCgroup(string serverId, PidFileRecord record, int pid)
    {
        if (record.Cgroup is null || !cgroups.Support.Available)
        {
            return null;
        }

        Cgroups.ServerCgroup cgroup = cgroups.Describe(serverId);
        if (cgroup.Name == record.Cgroup && cgroups.Contains(cgroup, pid))
        {
            return cgroup;
        }

        logger.LogWarning("Server {ServerId} (pid {Pid}) is not in its recorded cgroup {Cgroup}: following it by process group and session only",
            serverId, pid, Text.LogText.Escape(record.Cgroup));
        return null;
    }

    /// <summary>Rewrites a verified legacy file in the current format, so the next check can use the start time.</summary>
    private PidFileRecord UpgradeLegacy(PidFileRecord legacy, ProcessIdentity identity)
    {
        PidFileRecord upgraded = legacy with
        {
            IsLegacy = false,
            Cmd = procFs.TryReadCmdline(identity.Pid) ?? [],
            Cwd = procFs.TryReadCwd(identity.Pid),
            Exe = procFs.TryReadExe(identity.Pid) is { } exe ? DaemonLauncher.StripDeletedSuffix(exe) : null,
            ProcessStartTime = identity.StartTime,
            BootId = identity.BootId,
            CreatedAt = time.GetUtcNow(),
            DashboardVersion = options.Value.DashboardVersion,
        };
        store.Write(upgraded);
        logger.LogInformation("PID file of server {ServerId} (pid {Pid}) upgraded from the legacy format", legacy.ServerId, legacy.Pid);
        return upgraded;
    }

    private void Replace(TrackedProcess entry)
    {
        _entries.AddOrUpdate(entry.ServerId, entry, (_, old) =>
        {
            if (!old.HasExited && old.Identity != entry.Identity)
            {
                logger.LogWarning("Server {ServerId}: tracking pid {New} replaces pid {Old}, which was still tracked", entry.ServerId, entry.Pid, old.Pid);
            }

            return entry;
        });
        Changed?.Invoke();
    }

    private ExitStatus? DetectExit(TrackedProcess entry)
    {
        if (entry.IsOurChild)
        {
            ReapResult reap = reaper.TryReap(entry.Pid);
            return reap.State switch
            {
                ReapState.Reaped => reap.Status,
                ReapState.StillRunning => null,
                // Reaped by someone else (SIGCHLD ignored by our parent): we only know it is gone.
                _ => procFs.Check(entry.Identity) == IdentityStatus.Alive ? null : ExitStatus.Unknown,
            };
        }

        if (entry.Pidfd is { IsClosed: false } pidfd)
        {
            return handles.HasExited(pidfd) ? ExitStatus.Unknown : null;
        }

        return procFs.Check(entry.Identity) == IdentityStatus.Alive ? null : ExitStatus.Unknown;
    }
}
