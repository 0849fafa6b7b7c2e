namespace ServerDashboard.Audit;

/// <summary>The action names stored in <see cref="Data.AuditEntry.Action"/> (strings, so old rows survive new names).</summary>
public static class AuditActions
{
    public const string Start = "Start";
    public const string Stop = "Stop";
    public const string Restart = "Restart";
    public const string Kill = "Kill";
    public const string Command = "Command";
    public const string CreateServer = "CreateServer";
    public const string UpdateServer = "UpdateServer";
    public const string DeleteServer = "DeleteServer";

    public static readonly IReadOnlyList<string> All = [Start, Stop, Restart, Kill, Command, CreateServer, UpdateServer, DeleteServer];
}
