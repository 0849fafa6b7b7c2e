namespace ServerDashboard.Jobs;

/// <summary>The built-in backup and restore job types (see <see cref="BackupService"/>).</summary>
public static class BackupJobs
{
    public const string TypeName = "backup";

    public const string RestoreTypeName = "restore";

    /// <summary>One backup of a server runs at a time: the job is named after the server.</summary>
    public static string JobName(int serverId) => $"backup-{serverId}";

    /// <summary>One restore of a server runs at a time.</summary>
    public static string RestoreJobName(int serverId) => $"restore-{serverId}";
}
