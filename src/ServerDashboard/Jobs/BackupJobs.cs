namespace ServerDashboard.Jobs;

/// <summary>The built-in backup job type (see <see cref="BackupService"/>).</summary>
public static class BackupJobs
{
    public const string TypeName = "backup";

    /// <summary>One backup of a server runs at a time: the job is named after the server.</summary>
    public static string JobName(int serverId) => $"backup-{serverId}";
}
