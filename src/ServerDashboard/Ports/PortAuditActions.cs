using ServerDashboard.Audit;

namespace ServerDashboard.Ports;

/// <summary>The audit actions of the Ports area (listed in <see cref="AuditActions.All"/> for the Audit page's filter).</summary>
public static class PortAuditActions
{
    public const string FreePort = AuditActions.FreePort;
    public const string AddManagedPort = AuditActions.AddManagedPort;
    public const string RemoveManagedPort = AuditActions.RemoveManagedPort;
}
