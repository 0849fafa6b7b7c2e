namespace ServerDashboard.Processes;

/// <summary>
/// The seam between supervision and where a server's process runs: start, graceful stop, kill, and the durable stop
/// intent. <see cref="DaemonManager"/> is the only implementation: detached daemons on this host, with PID files. A
/// launcher for another engine (an Agones <c>GameServer</c> on Kubernetes) would implement this too; docs/scale-out.md
/// says what that takes and what stays per host (log tailing, /proc monitoring and cgroups are not behind this seam).
/// </summary>
public interface IServerLauncher
{
    /// <summary>Starts the server's process (refused if it already runs) and tracks it.</summary>
    Task<TrackedProcess> StartAsync(ServerStartRequest request, CancellationToken cancellationToken);

    /// <summary>Asks the server to stop (<paramref name="gracefulAction"/>, else <paramref name="signal"/>), and kills it after <paramref name="timeout"/>.</summary>
    Task<StopResult> StopAsync(string serverId, StopSignal signal, TimeSpan timeout, CancellationToken cancellationToken,
        Func<CancellationToken, Task>? gracefulAction = null);

    /// <summary>Kills the server at once.</summary>
    Task<StopResult> KillAsync(string serverId, CancellationToken cancellationToken);

    /// <summary>Records a stop before it is carried out, so a dashboard that dies meanwhile still carries it out at its next start.</summary>
    bool RecordStopIntent(string serverId, StopSignal signal, TimeSpan timeout);

    /// <summary><see cref="RecordStopIntent"/> for many servers in one durable batch (shutdown-all). Returns how many were recorded.</summary>
    int RecordStopIntents(IReadOnlyList<(string ServerId, StopSignal Signal, TimeSpan Timeout)> stops);
}
