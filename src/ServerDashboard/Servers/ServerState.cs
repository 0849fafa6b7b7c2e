namespace ServerDashboard.Servers;

/// <summary>
/// The lifecycle of a server (docs/supervision.md). Every change goes through <see cref="ServerTransitions"/>.
/// </summary>
public enum ServerState
{
    Stopped,
    Starting,
    Running,
    Stopping,
    Error,
    Crashed,
    /// <summary>Waiting to be restarted by its policy (<see cref="ServerStatus.NextAttemptAt"/>, <see cref="ServerStatus.Attempt"/>).</summary>
    Backoff,
}

public static class ServerStateExtensions
{
    /// <summary>A daemon exists (or is being started) for the server.</summary>
    public static bool IsActive(this ServerState state) => state is ServerState.Starting or ServerState.Running or ServerState.Stopping;
}

/// <summary>How the server's last run ended, as the API reports it.</summary>
/// <param name="Kind"><c>Code</c>, <c>Signal</c>, or <c>Unknown</c> (adopted after a dashboard restart: PID 1 reaped it).</param>
public sealed record LastExit(string Kind, int? Code, int? Signal, DateTimeOffset At, bool Requested, string Description);

/// <summary>What the dashboard knows about a server right now. <c>GET /api/v1/servers/{id}/status</c>.</summary>
public sealed record ServerStatus(
    int ServerId,
    ServerState State,
    int? Pid,
    DateTimeOffset? StartedAt,
    bool LoadedFromDisk,
    LastExit? LastExit,
    string? Message,
    DateTimeOffset ChangedAt,
    DateTimeOffset? NextAttemptAt = null,
    int? Attempt = null,
    ServerHealth? Health = null)
{
    public static ServerStatus StoppedAt(int serverId, DateTimeOffset at) => new(serverId, ServerState.Stopped, null, null, false, null, null, at);
}

/// <summary>The health checks' verdict on a Running server: a flag beside the state, not a state.</summary>
/// <param name="Reason">Why it is unhealthy (e.g. "game port 25565 refused 3 checks"); null when healthy.</param>
/// <param name="Since">When the current verdict began.</param>
public sealed record ServerHealth(bool Healthy, string? Reason, DateTimeOffset Since);
