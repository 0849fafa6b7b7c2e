namespace ServerDashboard.Servers;

/// <summary>
/// The one table of legal state changes. <see cref="ServerStatusBoard"/> refuses (and logs as a bug) any change not in
/// it, so a new code path cannot invent a move the UI, the API and the stored history do not expect.
/// </summary>
public static class ServerTransitions
{
    private static readonly Dictionary<ServerState, ServerState[]> Legal = new()
    {
        // Starting: a start. Running: a daemon adopted at boot or by a rescan. Error: a start refused (port in use,
        // program missing). Crashed: it vanished while the dashboard was down. Backoff: a clean exit under Always.
        [ServerState.Stopped] = [ServerState.Starting, ServerState.Running, ServerState.Error, ServerState.Crashed, ServerState.Backoff],
        // Stopped: a clean exit or a kill. Crashed: an exit. Error: startup timeout or failure.
        [ServerState.Starting] = [ServerState.Running, ServerState.Stopping, ServerState.Stopped, ServerState.Crashed, ServerState.Error],
        // Error: a kill that failed.
        [ServerState.Running] = [ServerState.Stopping, ServerState.Stopped, ServerState.Crashed, ServerState.Error],
        // Error: a stop that failed.
        [ServerState.Stopping] = [ServerState.Stopped, ServerState.Error],
        // Backoff: a restart is pending. Error: a crash loop, or no restart possible.
        [ServerState.Crashed] = [ServerState.Backoff, ServerState.Starting, ServerState.Running, ServerState.Error, ServerState.Stopped],
        // Starting: the restart (or Start now). Stopped: a user's Stop/Kill cancelled it.
        [ServerState.Backoff] = [ServerState.Starting, ServerState.Stopped, ServerState.Running, ServerState.Error],
        [ServerState.Error] = [ServerState.Starting, ServerState.Running, ServerState.Stopped, ServerState.Crashed],
    };

    public static bool IsLegal(ServerState from, ServerState to) => from == to || Legal[from].Contains(to);

    /// <summary>Every legal move (for docs and tests).</summary>
    public static IEnumerable<(ServerState From, ServerState To)> All =>
        Legal.SelectMany(entry => entry.Value.Select(to => (entry.Key, to)));
}
