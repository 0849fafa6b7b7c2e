namespace ServerDashboard.Servers;

/// <summary>
/// Something outside the supervisor that may forbid a start for now: a restore job rewriting the server's directory, a
/// backup that stopped the server to archive it at rest. Every start (a user's, the restart policy's, the boot
/// reconciler's) asks each registered veto under the server's power lock; a refusal is a 409 with its reason.
/// </summary>
public interface IServerStartVeto
{
    /// <summary>Why the server must not start now, or null.</summary>
    string? WhyNot(int serverId);
}
