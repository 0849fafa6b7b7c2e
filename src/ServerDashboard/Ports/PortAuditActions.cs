namespace ServerDashboard.Ports;

/// <summary>The audit actions of the Ports area (strings in <see cref="Data.AuditEntry.Action"/>, like <see cref="Audit.AuditActions"/>).</summary>
public static class PortAuditActions
{
    public const string FreePort = "FreePort";
    public const string AddManagedPort = "AddManagedPort";
    public const string RemoveManagedPort = "RemoveManagedPort";
    public const string StartupPortCleanup = "StartupPortCleanup";
}
