namespace ServerDashboard.Servers;

/// <summary>
/// A server without a run-as user runs as the dashboard's own account: root on most hosts. A compromised game (plugins,
/// mods) would then read dashboard.db, the data-protection keys and every PID file. This says so, for the form, the server
/// page and the API (<see cref="ServerModel.RunAsWarning"/>); <c>Dashboard:Security:RequireRunAsUser=true</c> makes it a
/// validation error instead.
/// </summary>
public sealed class RunAsAdvisor(UnixUsers users)
{
    public const string Warning =
        "This server runs as root, like the dashboard: a compromised game could read the dashboard's database, keys and every server's RCON password. Set a dedicated run-as user.";

    public const string RequiredMessage =
        "The dashboard runs as root and Dashboard:Security:RequireRunAsUser is set: give this server a dedicated run-as user.";

    /// <summary>The warning for a definition with this run-as user, or null when there is nothing to warn about.</summary>
    public string? WarningFor(string? runAsUser) =>
        string.IsNullOrWhiteSpace(runAsUser) && users.CurrentUserIsRoot ? Warning : null;
}
