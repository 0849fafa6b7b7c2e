using Microsoft.Win32.SafeHandles;

namespace ServerDashboard.Processes;

/// <summary>One daemon the registry knows about. Mutable state (exit, stop request) changes only under <see cref="Gate"/>.</summary>
public sealed class TrackedProcess
{
    internal TrackedProcess(string serverId, ProcessIdentity identity, string pidFilePath, PidFileRecord record,
        bool loadedFromDisk, bool isOurChild, DateTimeOffset trackedAt, SafeFileHandle? pidfd)
    {
        ServerId = serverId;
        Identity = identity;
        PidFilePath = pidFilePath;
        Record = record;
        LoadedFromDisk = loadedFromDisk;
        IsOurChild = isOurChild;
        TrackedAt = trackedAt;
        Pidfd = pidfd;
    }

    public string ServerId { get; }

    public int Pid => Identity.Pid;

    public ProcessIdentity Identity { get; }

    public string PidFilePath { get; }

    /// <summary>What the PID file says (command, cwd, RCON port and password, log and stdin paths).</summary>
    public PidFileRecord Record { get; internal set; }

    /// <summary>True when this dashboard run wrote the stop request in <see cref="Record"/> (false: an earlier run did).</summary>
    internal bool StopIntentIsOurs { get; set; }

    /// <summary>The stop-intent file that records this daemon's pending stop, if a stop-all wrote one (<see cref="StopIntents"/>).</summary>
    internal StopIntents.BatchFile? StopIntentFile { get; set; }

    public string? LogPath => Record.LogPath;

    /// <summary>The server's cgroup when it has one (and, if adopted, the PID was found in it): its exact process tree.</summary>
    public Cgroups.ServerCgroup? Cgroup { get; internal set; }

    public string? StdinPath => Record.StdinPath;

    /// <summary>True when adopted from a PID file (started by an earlier dashboard run).</summary>
    public bool LoadedFromDisk { get; }

    /// <summary>True when this dashboard process spawned it, so waitpid can report its exit code.</summary>
    public bool IsOurChild { get; }

    public DateTimeOffset TrackedAt { get; }

    /// <summary>Null while the leader runs; then its exit code, signal, or <see cref="ExitStatus.Unknown"/>.</summary>
    public ExitStatus? LastExit { get; private set; }

    public DateTimeOffset? ExitedAt { get; private set; }

    public bool HasExited => LastExit is not null;

    /// <summary>Set when the dashboard asked it to stop, so an exit can be told apart from a crash.</summary>
    public bool StopRequested { get; internal set; }

    /// <summary>Serializes reaping and signalling: while we have not reaped our child, its pid cannot be reused.</summary>
    internal object Gate { get; } = new();

    /// <summary>A pidfd opened and then verified against <see cref="Identity"/>: it can only ever refer to this process.</summary>
    internal SafeFileHandle? Pidfd { get; }

    /// <summary>Completes when the exit is recorded (<see cref="LastExit"/> set): a stop waits on it instead of polling.</summary>
    internal Task Exited => exited.Task;

    private readonly TaskCompletionSource exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal bool TryMarkExited(ExitStatus status, DateTimeOffset at)
    {
        if (LastExit is not null)
        {
            return false;
        }

        LastExit = status;
        ExitedAt = at;
        Pidfd?.Dispose();
        exited.TrySetResult();
        return true;
    }

    public override string ToString() => $"server {ServerId} (pid {Pid})";
}
