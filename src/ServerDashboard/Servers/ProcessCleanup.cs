using System.Globalization;
using ServerDashboard.Processes;

namespace ServerDashboard.Servers;

/// <summary>What a force cleanup did. <see cref="ServerId"/> is null when no tracked daemon had the pid.</summary>
/// <param name="Stopped">The daemon was alive and ours, so it was stopped (waited for) before being forgotten.</param>
public sealed record ForceCleanupResult(int Pid, string? ServerId, bool Stopped)
{
    public bool Tracked => ServerId is not null;
}

/// <summary>
/// Removing stale process tracking, shared by the Processes page and <c>/api/v1/processes</c> so both behave the same.
/// Lives in Servers/ because a force cleanup of a live server goes through the <see cref="ServerSupervisor"/>: stopping it
/// there keeps the power lock, the status board and the restart policy in step (a bare ForceCleanup would leave a
/// running daemon that nothing tracks).
/// </summary>
public sealed class ProcessCleanup(ProcessRegistry registry, ServerSupervisor supervisor, ILogger<ProcessCleanup> logger)
{
    /// <summary>Forgets every exited daemon. Returns how many entries were dropped.</summary>
    public int CleanupDead() => registry.CleanupDead();

    /// <summary><see cref="CleanupDead"/>, then re-checks every PID file on disk. Never stops a live server.</summary>
    public Task<int> CleanupAllAsync(CancellationToken cancellationToken) => registry.CleanupAllAsync(cancellationToken);

    /// <summary>
    /// Forgets the daemon with <paramref name="pid"/> and deletes its PID file. If it is alive and one of our servers, it is
    /// stopped first (as an operator's stop: graceful, then forceful after the server's timeout) and waited for.
    /// </summary>
    public async Task<ForceCleanupResult> ForceCleanupAsync(int pid, CancellationToken cancellationToken)
    {
        var entry = registry.Entries.FirstOrDefault(e => e.Pid == pid);
        if (entry is null)
        {
            return new ForceCleanupResult(pid, null, Stopped: false);
        }

        var stopped = false;
        if (!entry.HasExited
            && int.TryParse(entry.ServerId, NumberStyles.None, CultureInfo.InvariantCulture, out var serverId)
            && supervisor.IsRunning(serverId))
        {
            var stop = await supervisor.StopAsync(serverId, wait: true, cancellationToken);
            stopped = stop.Outcome == PowerOutcome.Accepted;
            if (!stopped)
            {
                // Still forget it: this is the operator's escape hatch, and the registry call below sends no signal.
                logger.LogWarning("Force cleanup of server {ServerId} (pid {Pid}): stop was not accepted ({Outcome}); forgetting it anyway",
                    entry.ServerId, pid, stop.Outcome);
            }
        }

        registry.ForceCleanup(entry.ServerId);
        return new ForceCleanupResult(pid, entry.ServerId, stopped);
    }
}
