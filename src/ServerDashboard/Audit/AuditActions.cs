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
    public const string ShutdownAll = "ShutdownAll";
    public const string ForceCleanup = "ForceCleanup";
    public const string CleanupAll = "CleanupAll";
    public const string AutoRestart = "AutoRestart";
    public const string LimitWarning = "LimitWarning";
    public const string CreateUser = "CreateUser";
    public const string DeleteUser = "DeleteUser";
    public const string SetRole = "SetRole";
    public const string ResetPassword = "ResetPassword";
    public const string CreateApiKey = "CreateApiKey";
    public const string RevokeApiKey = "RevokeApiKey";
    public const string Login = "Login";
    public const string LoginFailed = "LoginFailed";
    public const string FreePort = "FreePort";
    public const string AddManagedPort = "AddManagedPort";
    public const string RemoveManagedPort = "RemoveManagedPort";

    public static readonly IReadOnlyList<string> All =
    [
        Start, Stop, Restart, Kill, Command, CreateServer, UpdateServer, DeleteServer, ShutdownAll, ForceCleanup, CleanupAll,
        AutoRestart, CreateUser, DeleteUser, SetRole, ResetPassword, CreateApiKey, RevokeApiKey, Login, LoginFailed,
        FreePort, AddManagedPort, RemoveManagedPort,
    ];
}
