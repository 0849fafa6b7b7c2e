using ServerDashboard.Processes.Native;

namespace ServerDashboard.Processes;

/// <summary>
/// Linux-only: what the <c>status</c> and <c>stop</c> commands need to know and do about a running dashboard,
/// found through the data directory's lock file.
/// </summary>
public sealed class DashboardInstanceControl(LockFileReader locks, ProcFs procFs)
{
    public LockFileStatus Inspect(string dataDir) => locks.TryRead(dataDir);

    /// <summary>
    /// Sends SIGTERM to the dashboard holding <paramref name="dataDir"/>'s lock. The pid comes from the lock file, which
    /// only the holder writes, and the lock is re-checked first, so a stale pid is never signalled.
    /// </summary>
    public bool RequestStop(string dataDir, out int pid)
    {
        var status = locks.TryRead(dataDir);
        pid = status.Holder?.Pid ?? 0;
        if (!status.IsHeld || pid <= 0)
        {
            return false;
        }

        return LinuxNative.kill(pid, LinuxNative.SIGTERM) == 0;
    }

    /// <summary>Waits until the lock is free (the holder has exited or let go).</summary>
    public async Task<bool> WaitForReleaseAsync(string dataDir, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (time.GetUtcNow() < deadline)
        {
            if (!locks.TryRead(dataDir).IsHeld)
            {
                return true;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
        }

        return !locks.TryRead(dataDir).IsHeld;
    }

    public bool IsAlive(ProcessIdentity identity) => procFs.IsAlive(identity);
}
