using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using ServerDashboard.Processes;

namespace ServerDashboard.Jobs;

/// <summary>What to start: an argv already expanded, where, with what environment, and the rules that apply.</summary>
public sealed record JobStartRequest(
    string Name,
    IReadOnlyList<string> Argv,
    string StartedBy,
    string? WorkingDirectory = null,
    IReadOnlyDictionary<string, string>? Environment = null,
    string? Type = null,
    int? ServerId = null,
    int? TimeoutSeconds = null,
    int? MaxConcurrentOfType = null,
    IReadOnlyList<string>? DisplayCommand = null,
    bool RestartServerAfter = false);

/// <summary>A job's status changed, or its log grew (<see cref="Lines"/>, without progress lines' special meaning removed).</summary>
public sealed record JobEvent(string Name, JobStatusRecord? Record, IReadOnlyList<string> Lines, bool Finished);

/// <summary>
/// Starts, watches, cancels and re-adopts background jobs through their files (see <see cref="JobFiles"/>). Launching,
/// signalling and identity checks are the Processes module's (the same code as servers). Used by the dashboard (polled by
/// <see cref="JobMonitorService"/>) and by the CLI when no dashboard runs (each command refreshes the jobs it touches).
/// </summary>
public sealed class JobRunner(
    JobFiles files,
    DaemonLauncher launcher,
    ExecutableResolver resolver,
    ProcFs procFs,
    ProcessGroupSignaller signaller,
    ChildReaper reaper,
    JobLogStreams logStreams,
    IOptions<JobOptions> options,
    TimeProvider time,
    ILogger<JobRunner> logger)
{
    private const long MaxLogScanBytes = 1024 * 1024;
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, JobWatch> _watches = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Raised after a status change or new log lines (on the polling thread; handlers must be quick).</summary>
    public event Action<JobEvent>? Changed;

    public JobFiles Files => files;

    public async Task<JobStatusRecord> StartAsync(JobStartRequest request, CancellationToken cancellationToken)
    {
        if (!JobFiles.IsValidName(request.Name))
        {
            throw new JobInputException($"invalid job name '{request.Name}': {JobFiles.NameRule}");
        }

        if (request.Argv.Count == 0 || string.IsNullOrWhiteSpace(request.Argv[0]))
        {
            throw new JobInputException("the command is empty");
        }

        if (request.Argv.Any(a => a.Contains('\0')))
        {
            throw new JobInputException("the command contains a NUL character");
        }

        var cwd = request.WorkingDirectory is { Length: > 0 } wd ? Path.GetFullPath(wd) : files.Directory;
        if (!Directory.Exists(cwd))
        {
            throw new JobInputException($"working directory '{cwd}' does not exist");
        }

        var environment = request.Environment ?? DefaultEnvironment();
        environment.TryGetValue("PATH", out var path);
        string program;
        try
        {
            // Resolved here so a missing command is a clear error before any file is written.
            program = resolver.Resolve(request.Argv[0], cwd, path ?? System.Environment.GetEnvironmentVariable("PATH"));
        }
        catch (DaemonLaunchException ex)
        {
            throw new JobInputException($"cannot start job '{request.Name}': {ex.Message}");
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            files.EnsureDirectory();
            RefreshLocked(request.Name); // archives a finished earlier run of the name first
            var existing = files.ReadStatus(request.Name);
            if (existing.Record is { Status: JobStates.Running } running)
            {
                throw new JobConflictException($"job '{request.Name}' is already running (pid {running.Pid}, started {JobStatusRecord.FromUnix(running.StartTime):u}{(running.StartedBy is { } by ? " by " + by : "")})");
            }

            if (!existing.IsValid && File.Exists(files.PidPath(request.Name)))
            {
                throw new JobConflictException($"job '{request.Name}' has a PID file but its status is unreadable ({existing.Problem}); cancel or remove it first");
            }

            if (request.Type is { } type && request.MaxConcurrentOfType is { } max)
            {
                int ofType = ListRunningLocked().Count(r => r.Type == type);
                if (ofType >= max)
                {
                    throw new JobConflictException($"job type '{type}' allows {max} running at a time and {ofType} run{(ofType == 1 ? "s" : "")}");
                }
            }

            files.RemoveTopLevel(request.Name); // leftovers of a run whose record was destroyed
            files.CreateLog(request.Name);
            var argv = new List<string> { program };
            argv.AddRange(request.Argv.Skip(1));
            var spec = new DaemonSpec(
                JobWaiter.Wrap(files.ExitPath(request.Name), argv), cwd, environment, files.LogPath(request.Name),
                files.StdinPath(request.Name), new ResourceLimits())
            {
                DisplayArgv = [JobWaiter.ProcessName, request.Name, Path.GetFileName(program), $"({argv.Count - 1} arguments)"],
            };

            LaunchedDaemon launched;
            try
            {
                launched = await launcher.LaunchAsync(spec, cancellationToken);
            }
            catch (DaemonLaunchException ex)
            {
                files.RemoveTopLevel(request.Name);
                throw new JobInputException($"cannot start job '{request.Name}': {ex.Message}");
            }

            var now = time.GetUtcNow();
            var record = new JobStatusRecord
            {
                Name = request.Name,
                Pid = launched.Pid,
                StartTime = JobStatusRecord.ToUnix(launched.LaunchedAt),
                Status = JobStates.Running,
                // The type's argv with placeholders unexpanded: {rconPassword} must not reach the status file's readers.
                Command = request.DisplayCommand ?? request.Argv,
                LastUpdate = JobStatusRecord.ToUnix(now),
                BootId = launched.Identity.BootId,
                ProcessStartTime = launched.Identity.StartTime,
                Type = request.Type,
                ServerId = request.ServerId,
                StartedBy = request.StartedBy,
                WorkingDirectory = cwd,
                TimeoutSeconds = request.TimeoutSeconds,
                RestartServerAfter = request.RestartServerAfter ? true : null,
            };
            files.WriteStatus(record);
            files.WritePid(request.Name, launched.Pid);
            _watches[request.Name] = new JobWatch(launched.Identity, IsOurChild: true) { LastWritten = record };
            logStreams.Begin(request.Name);
            logger.LogInformation("Started job {Job} (pid {Pid}) for {User}", request.Name, launched.Pid, Text.LogText.Escape(request.StartedBy));
            Changed?.Invoke(new JobEvent(request.Name, record, [], false));
            return record;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// SIGTERM to the job's process group, up to <paramref name="timeout"/> for it to end, then SIGKILL. The run is archived
    /// as <c>cancelled</c> with how it ended. Returns the archived record.
    /// </summary>
    public async Task<JobStatusRecord> CancelAsync(string name, TimeSpan? timeout, string cancelledBy, CancellationToken cancellationToken)
    {
        var wait = timeout ?? TimeSpan.FromSeconds(options.Value.DefaultCancelTimeoutSeconds);
        JobWatch watch;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var current = RefreshLocked(name);
            if (current is null)
            {
                throw new JobNotFoundException(name);
            }

            if (current.Status != JobStates.Running || !_watches.TryGetValue(name, out watch!))
            {
                throw new JobConflictException($"job '{name}' is not running (status {current.Status})");
            }

            watch.Cancel = new CancelIntent(time.GetUtcNow(), cancelledBy, wait);
            SignalGroup(name, watch, LinuxSignal.Term);
        }
        finally
        {
            _gate.Release();
        }

        var started = time.GetTimestamp();
        while (true)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
            await _gate.WaitAsync(cancellationToken);
            try
            {
                if (watch.Final is { } final)
                {
                    return final;
                }

                RefreshLocked(name);
                if (watch.Final is { } done)
                {
                    return done;
                }

                var elapsed = time.GetElapsedTime(started);
                if (!watch.Cancel!.Killed && elapsed >= wait)
                {
                    watch.Cancel.Killed = true;
                    logger.LogWarning("Job {Job} still runs {Seconds:0} s after SIGTERM: sending SIGKILL", name, wait.TotalSeconds);
                    SignalGroup(name, watch, LinuxSignal.Kill);
                }
                else if (watch.Cancel.Killed && elapsed >= wait + KillGrace)
                {
                    throw new IOException($"job '{name}' did not end {KillGrace.TotalSeconds:0} s after SIGKILL");
                }
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    /// <summary>Checks every job in the PID directory once: exits, progress, timeouts, cancel requests from the CLI.</summary>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        List<(string Name, JobCancelRequest Request)> cancels = [];
        await _gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var name in files.ListNames())
            {
                if (!JobFiles.IsValidName(name))
                {
                    continue;
                }

                var record = RefreshLocked(name);
                if (record is { Status: JobStates.Running } && _watches.TryGetValue(name, out var watch) && watch.Cancel is null)
                {
                    if (files.ReadCancelRequest(name) is { } request)
                    {
                        File.Delete(files.CancelPath(name));
                        cancels.Add((name, request));
                    }
                    else if (record.TimeoutSeconds is { } limit && time.GetUtcNow() - JobStatusRecord.FromUnix(record.StartTime) > TimeSpan.FromSeconds(limit))
                    {
                        cancels.Add((name, new JobCancelRequest { TimeoutSeconds = options.Value.DefaultCancelTimeoutSeconds, RequestedBy = $"timeout ({limit} s)" }));
                    }
                }
            }
        }
        finally
        {
            _gate.Release();
        }

        foreach (var (name, request) in cancels)
        {
            // Not awaited: a cancel waits out its timeout while polling goes on.
            _ = Task.Run(async () =>
            {
                try
                {
                    await CancelAsync(name, request.TimeoutSeconds > 0 ? TimeSpan.FromSeconds(request.TimeoutSeconds) : null, request.RequestedBy ?? "cli", CancellationToken.None);
                }
                catch (Exception ex)
                {
                    logger.LogWarning(ex, "Requested cancel of job {Job} failed", name);
                }
            }, CancellationToken.None);
        }
    }

    /// <summary>Brings one job's files up to date (exit, progress) and returns its current record, or null when unknown.</summary>
    public async Task<JobStatusRecord?> RefreshAsync(string name, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return RefreshLocked(name);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Every top-level entry, valid or not (a malformed status file is reported, never thrown).</summary>
    public IReadOnlyList<JobStatusRead> ListCurrent() => files.ListNames().Select(files.ReadStatus).ToList();

    public IReadOnlyList<JobStatusRecord> ListHistory(int take) =>
        files.ReadHistory(take).Where(r => r.Record is not null).Select(r => r.Record!).ToList();

    /// <summary>The running record, else the newest archived run of the name.</summary>
    public JobStatusRecord? Find(string name)
    {
        if (!JobFiles.IsValidName(name))
        {
            return null;
        }

        return files.ReadStatus(name).Record ?? ListHistory(options.Value.HistoryKeep).FirstOrDefault(r => r.Name == name);
    }

    public IReadOnlyList<string> LogTail(string name, int lines)
    {
        if (!JobFiles.IsValidName(name))
        {
            return [];
        }

        if (File.Exists(files.LogPath(name)))
        {
            return files.ReadLogTail(name, lines);
        }

        var archived = files.ReadHistory(options.Value.HistoryKeep).FirstOrDefault(r => r.Name == name && r.Record is not null);
        return archived?.Record?.LogTail is { } tail ? tail.TakeLast(lines).ToList() : [];
    }

    private IEnumerable<JobStatusRecord> ListRunningLocked() =>
        files.ListNames().Select(files.ReadStatus).Where(r => r.Record is { Status: JobStates.Running }).Select(r => r.Record!);

    private JobStatusRecord? RefreshLocked(string name)
    {
        var read = files.ReadStatus(name);
        if (read.Record is not { } record)
        {
            return null;
        }

        if (record.Status != JobStates.Running)
        {
            // A final record left in the top level (e.g. the job wrote it itself): archive it.
            Finish(name, record, record.Status, record.Ended ?? "recorded by the job", record.ExitCode);
            return _watches.TryRemove(name, out var w) && w.Final is { } f ? f : record;
        }

        if (!_watches.TryGetValue(name, out var watch))
        {
            var identity = record.BootId is { } boot && record.ProcessStartTime is { } start ? new ProcessIdentity(boot, record.Pid, start) : null;
            watch = new JobWatch(identity, IsOurChild: false) { LastWritten = record };
            _watches[name] = watch;
            logStreams.Begin(name);
            if (identity is null)
            {
                logger.LogWarning("Job {Job}'s status file carries no identity (boot_id, process_start_time): it is never signalled", name);
            }
            else
            {
                logger.LogInformation("Adopted job {Job} (pid {Pid}) from its files", name, record.Pid);
            }
        }

        record = ReadNewLogLines(name, record, watch);
        var ended = CheckEnded(name, watch);
        if (ended is null)
        {
            return record;
        }

        // What it printed between the read above and its exit belongs to this run's log stream too.
        record = ReadNewLogLines(name, record, watch);
        var (status, how, code) = ended.Value;
        if (watch.Cancel is { } cancel)
        {
            status = JobStates.Cancelled;
            how = cancel.Killed
                ? $"cancelled by {cancel.By}: SIGKILL after {cancel.Timeout.TotalSeconds:0} s ({how})"
                : $"cancelled by {cancel.By}: ended after SIGTERM ({how})";
        }

        var final = Finish(name, record, status, how, code, watch.Cancel?.By);
        watch.Final = final;
        _watches.TryRemove(name, out _);
        return final;
    }

    /// <summary>Null while running; else the state, the words for how it ended, and the exit code when known.</summary>
    private (string Status, string How, int? Code)? CheckEnded(string name, JobWatch watch)
    {
        if (watch.Identity is null)
        {
            return files.ReadExit(name) is { } exitOnly ? FromWaiter(exitOnly) : null;
        }

        if (watch.IsOurChild)
        {
            var reap = reaper.TryReap(watch.Identity.Pid);
            if (reap.State == ReapState.StillRunning)
            {
                return null;
            }

            watch.IsOurChild = false;
            if (reap.State == ReapState.Reaped)
            {
                // The waiter renames the exit file before it exits, so it is there now unless SIGKILL ended the waiter.
                if (files.ReadExit(name) is { } exit)
                {
                    return FromWaiter(exit);
                }

                return reap.Status is { Kind: ExitKind.Code, Code: { } c }
                    ? (c == 0 ? JobStates.Succeeded : JobStates.Failed, $"exit code {c}", c)
                    : (JobStates.Failed, reap.Status?.ToString() ?? "unknown", null);
            }
        }

        var state = procFs.Check(watch.Identity);
        if (state == IdentityStatus.Alive && JobWaiter.IsWaiterFor(procFs.TryReadCmdline(watch.Identity.Pid), files.ExitPath(name)))
        {
            return null;
        }

        if (files.ReadExit(name) is { } written)
        {
            return FromWaiter(written);
        }

        // Alive but not our waiter: the identity matched yet the cmdline did not (should not happen); never signal it.
        return state == IdentityStatus.Alive
            ? (JobStates.Lost, "its pid now runs another program", null)
            : (JobStates.Lost, "ended while no dashboard watched it, and its exit record is missing", null);
    }

    private static (string, string, int?) FromWaiter(WaiterExit exit) => exit.TermReceived
        ? (JobStates.Cancelled, $"exit code {exit.Code} after a termination signal", exit.Code)
        : (exit.Code == 0 ? JobStates.Succeeded : JobStates.Failed, $"exit code {exit.Code}", exit.Code);

    private JobStatusRecord Finish(string name, JobStatusRecord record, string status, string how, int? code, string? cancelledBy = null)
    {
        var now = time.GetUtcNow();
        var final = record with
        {
            Status = status,
            Ended = how,
            ExitCode = code,
            EndTime = record.EndTime ?? JobStatusRecord.ToUnix(now),
            LastUpdate = JobStatusRecord.ToUnix(now),
            CancelledBy = cancelledBy ?? record.CancelledBy,
            LogTail = files.ReadLogTail(name, options.Value.HistoryLogTailLines),
        };
        var archived = files.Archive(final, now, options.Value.HistoryLogTailLines);
        files.PruneHistory(options.Value.HistoryKeep);
        logStreams.Finished(name);
        logger.LogInformation("Job {Job} ended {Status}: {How} (archived as {Archive})", name, status, how, Path.GetFileName(archived));
        Changed?.Invoke(new JobEvent(name, final, [], true));
        return final;
    }

    /// <summary>Reads what the log gained since the last look; progress lines update the status file.</summary>
    private JobStatusRecord ReadNewLogLines(string name, JobStatusRecord record, JobWatch watch)
    {
        // The job may update its own status file's progress/current_task: take those when they differ from ours.
        if (watch.LastWritten is { } last && (record.Progress != last.Progress || record.CurrentTask != last.CurrentTask))
        {
            watch.LastWritten = record;
        }

        var lines = new List<string>();
        try
        {
            using var stream = SafeFileOpener.OpenRead(files.Directory, files.LogPath(name));
            if (watch.LogOffset is null)
            {
                // Adopted: scan the end of the log for the last progress line, but stream nothing old.
                watch.LogOffset = Math.Max(0, stream.Length - MaxLogScanBytes);
            }

            if (stream.Length < watch.LogOffset)
            {
                watch.LogOffset = 0; // truncated
            }

            if (stream.Length > watch.LogOffset)
            {
                stream.Seek(watch.LogOffset.Value, SeekOrigin.Begin);
                var buffer = new byte[Math.Min(stream.Length - watch.LogOffset.Value, MaxLogScanBytes)];
                stream.ReadExactly(buffer);
                int lastNewline = Array.LastIndexOf(buffer, (byte)'\n');
                if (lastNewline >= 0)
                {
                    watch.LogOffset += lastNewline + 1;
                    lines.AddRange(Encoding.UTF8.GetString(buffer, 0, lastNewline).Split('\n').Select(l => l.TrimEnd('\r')));
                }
                else if (buffer.Length == MaxLogScanBytes)
                {
                    watch.LogOffset += buffer.Length; // one huge line: skip it
                }
            }
        }
        catch (IOException)
        {
            // The log is gone or refused: status and elapsed time still show.
        }

        var updated = record;
        foreach (var line in lines)
        {
            if (JobProgressLine.TryParse(line, out var percent, out var task))
            {
                updated = updated with { Progress = percent, CurrentTask = task ?? updated.CurrentTask };
            }
        }

        if (updated.Progress != record.Progress || updated.CurrentTask != record.CurrentTask)
        {
            updated = updated with { LastUpdate = JobStatusRecord.ToUnix(time.GetUtcNow()) };
            files.WriteStatus(updated);
            watch.LastWritten = updated;
        }

        logStreams.Append(name, lines);
        if (lines.Count > 0 || !ReferenceEquals(updated, record))
        {
            Changed?.Invoke(new JobEvent(name, updated, lines, false));
        }

        return updated;
    }

    private void SignalGroup(string name, JobWatch watch, LinuxSignal signal)
    {
        if (watch.Identity is null)
        {
            throw new JobConflictException($"job '{name}' has no process identity in its status file: it is not signalled (a reused PID must never be)");
        }

        int signalled = signaller.SignalGroup(watch.Identity, watch.IsOurChild, (int)signal);
        logger.LogInformation("Sent {Signal} to job {Job}'s process group ({Count} target(s))", signal, name, signalled.ToString(CultureInfo.InvariantCulture));
    }

    private static Dictionary<string, string> DefaultEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
            ["LANG"] = "C.UTF-8",
        };
        if (System.Environment.GetEnvironmentVariable("HOME") is { } home)
        {
            env["HOME"] = home;
        }

        return env;
    }

    private sealed class JobWatch(ProcessIdentity? identity, bool IsOurChild)
    {
        public ProcessIdentity? Identity { get; } = identity;

        public bool IsOurChild { get; set; } = IsOurChild;

        public long? LogOffset { get; set; }

        public JobStatusRecord? LastWritten { get; set; }

        public CancelIntent? Cancel { get; set; }

        public JobStatusRecord? Final { get; set; }
    }

    private sealed record CancelIntent(DateTimeOffset At, string By, TimeSpan Timeout)
    {
        public bool Killed { get; set; }
    }

    private enum LinuxSignal
    {
        Term = 15,
        Kill = 9,
    }
}
