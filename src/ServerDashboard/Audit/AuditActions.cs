namespace ServerDashboard.Audit;

/// <summary>The action names stored in <see cref="Data.AuditEntry.Action"/> (strings, so old rows survive new names). Every
/// area's names are here, so <see cref="All"/> (the Audit page's filter) lists them all; areas refer to them by their own names.</summary>
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
    public const string JobStart = "JobStart";
    public const string JobCancel = "JobCancel";
    public const string JobType = "JobType";
    public const string Backup = "Backup";
    public const string Restore = "Restore";
    public const string DeleteBackup = "DeleteBackup";
    public const string CreateSchedule = "CreateSchedule";
    public const string UpdateSchedule = "UpdateSchedule";
    public const string DeleteSchedule = "DeleteSchedule";
    public const string ScheduledRun = "ScheduledRun";
    public const string CreateWebhook = "CreateWebhook";
    public const string UpdateWebhook = "UpdateWebhook";
    public const string DeleteWebhook = "DeleteWebhook";
    public const string ResendWebhook = "ResendWebhook";
    public const string TestWebhook = "TestWebhook";

    public static readonly IReadOnlyList<string> All =
    [
        Start, Stop, Restart, Kill, Command, CreateServer, UpdateServer, DeleteServer, ShutdownAll, ForceCleanup, CleanupAll,
        AutoRestart, CreateUser, DeleteUser, SetRole, ResetPassword, CreateApiKey, RevokeApiKey, Login, LoginFailed,
        FreePort, AddManagedPort, RemoveManagedPort, JobStart, JobCancel, JobType, Backup, Restore, DeleteBackup,
        CreateSchedule, UpdateSchedule, DeleteSchedule, ScheduledRun, CreateWebhook, UpdateWebhook, DeleteWebhook, ResendWebhook,
        TestWebhook, LimitWarning,
    ];
}
