using System.Globalization;
using ServerDashboard.Processes;

namespace ServerDashboard.Servers;

/// <summary>What a force cleanup did. <see cref="ServerId"/> is null when no tracked daemon had the pid.</summary>
/// <param name="Stopped">The daemon was alive and ours, so it was stopped (waited for) before being forgotten.</param>
/// <param name="Refused">Why nothing was done: the daemon is alive and ours, and its stop was refused (it is not forgotten).</param>
public sealed record ForceCleanupResult(int Pid, string? ServerId, bool Stopped, string? Refused = null)
{
    public bool Tracked => ServerId is not null;
}

/// <summary>
/// Removing stale process tracking, shared by the Processes page and <c>/api/v1/processes</c> so both behave the same.
/// Lives in Servers/ because a force cleanup of a live server goes through the <see cref="ServerSupervisor"/>: stopping it
/// there keeps the power lock, the status board and the restart policy in step (a bare ForceCleanup would leave a
/// running daemon that nothing tracks).
/// </summary>
public sealed class ProcessCleanup(ProcessRegistry registry, ServerSupervisor supervisor, Audit.AuditLog audit, ILogger<ProcessCleanup> logger)
{
    /// <summary>Forgets every exited daemon. Returns how many entries were dropped.</summary>
    public int CleanupDead() => registry.CleanupDead();

    /// <summary><see cref="CleanupDead"/>, then re-checks every PID file on disk. Never stops a live server. Audited.</summary>
    public async Task<int> CleanupAllAsync(Audit.AuditActor actor, CancellationToken cancellationToken)
    {
        var removed = await registry.CleanupAllAsync(cancellationToken);
        await audit.RecordAsync(actor, Audit.AuditActions.CleanupAll, "dead daemons and stale PID files", success: true, $"removed {removed}");
        return removed;
    }

    /// <summary>
    /// Forgets the daemon with <paramref name="pid"/> and deletes its PID file. If it is alive and one of our servers, it is
    /// stopped first (as an operator's stop: graceful, then forceful after the server's timeout) and waited for; when that
    /// stop is refused, nothing is forgotten (a live server nothing tracks could never be stopped from here again). Audited.
    /// </summary>
    public async Task<ForceCleanupResult> ForceCleanupAsync(int pid, Audit.AuditActor actor, CancellationToken cancellationToken)
    {
        var result = await ForceCleanupCoreAsync(pid, cancellationToken);
        if (result.Tracked)
        {
            await audit.RecordAsync(actor, Audit.AuditActions.ForceCleanup,
                int.TryParse(result.ServerId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null, null,
                $"pid {pid}", result.Refused is null, result.Refused is { } why ? "refused: " + why : result.Stopped ? "stopped and forgotten" : "forgotten");
        }

        return result;
    }

    private async Task<ForceCleanupResult> ForceCleanupCoreAsync(int pid, CancellationToken cancellationToken)
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
            stopped = stop.Outcome == PowerOutcome.Accepted && !supervisor.IsRunning(serverId);
            // NotFound: no definition, so nothing here could ever stop it; forgetting it is what the operator asked for.
            if (!stopped && stop.Outcome != PowerOutcome.NotFound)
            {
                // Forgetting a live server would leave a daemon nothing tracks and nothing can stop from here: refuse.
                logger.LogWarning("Force cleanup of server {ServerId} (pid {Pid}) refused: its stop was not accepted ({Outcome}: {Reason})",
                    entry.ServerId, pid, stop.Outcome, stop.Reason);
                return new ForceCleanupResult(pid, entry.ServerId, Stopped: false,
                    Refused: $"the server is running and its stop was refused ({stop.Reason ?? stop.Outcome.ToString()}); stop or kill it first");
            }
        }

        registry.ForceCleanup(entry.ServerId);
        return new ForceCleanupResult(pid, entry.ServerId, stopped);
    }
}
