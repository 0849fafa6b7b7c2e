using System.Text.Json.Serialization;

namespace ServerDashboard.Servers;

/// <summary>
/// The server resource of the REST API (<c>/api/v1/servers</c>) and the model behind the server form.
/// Names are part of the public contract: scripts rely on them.
/// </summary>
public sealed class ServerModel
{
    /// <summary>Set in responses only.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Id { get; set; }

    public string Name { get; set; } = "";

    public List<string> Command { get; set; } = [];

    public string WorkingDirectory { get; set; } = "";

    /// <summary>Values of secret keys are null for callers that may not see them; a null on input keeps the stored value.</summary>
    public Dictionary<string, string?> Environment { get; set; } = [];

    public List<string> SecretEnvironmentKeys { get; set; } = [];

    public int? Port { get; set; }

    public RconModel Rcon { get; set; } = new();

    public StopModel Stop { get; set; } = new();

    public RestartPolicy RestartPolicy { get; set; } = RestartPolicy.No;

    public LimitsModel Limits { get; set; } = new();

    public string? RunAsUser { get; set; }

    /// <summary>Read-only: set in answers when the server would run as root (see <see cref="RunAsAdvisor"/>); ignored on input.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RunAsWarning { get; set; }

    public string? ReadyPattern { get; set; }

    /// <summary>Seconds to become ready before the start fails (Error); null: the dashboard's default (30).</summary>
    public int? StartupTimeoutSeconds { get; set; }

    /// <summary>Restart it when the health checks flag it Unhealthy.</summary>
    public bool RestartOnUnhealthy { get; set; }

    public List<string> LogFiles { get; set; } = [];

    /// <summary>What backups archive and whether they stop the server first (docs/jobs.md, "Backups").</summary>
    public BackupModel Backup { get; set; } = new();

    public string Notes { get; set; } = "";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? CreatedAt { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? UpdatedAt { get; set; }

    /// <summary>
    /// JSON lets a client send <c>null</c> for any field. An optional field's null means its documented default (an empty
    /// working directory, RCON off, the default stop, no notes...); nulls inside lists stay for the validator to reject.
    /// </summary>
    public ServerModel ReplaceNullsWithDefaults()
    {
        Name ??= "";
        Command ??= [];
        WorkingDirectory ??= "";
        Environment ??= [];
        SecretEnvironmentKeys ??= [];
        Rcon ??= new();
        Stop ??= new();
        Stop.Command ??= "stop";
        Limits ??= new();
        LogFiles ??= [];
        Backup ??= new();
        Backup.Paths ??= [];
        Notes ??= "";
        return this;
    }

    public ServerModel Clone() => new()
    {
        Id = Id,
        Name = Name,
        Command = [.. Command],
        WorkingDirectory = WorkingDirectory,
        Environment = new(Environment),
        SecretEnvironmentKeys = [.. SecretEnvironmentKeys],
        Port = Port,
        Rcon = Rcon with { },
        Stop = Stop with { },
        RestartPolicy = RestartPolicy,
        Limits = Limits with { },
        RunAsUser = RunAsUser,
        ReadyPattern = ReadyPattern,
        StartupTimeoutSeconds = StartupTimeoutSeconds,
        RestartOnUnhealthy = RestartOnUnhealthy,
        LogFiles = [.. LogFiles],
        Backup = Backup with { Paths = [.. Backup.Paths] },
        Notes = Notes,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
    };
}

public sealed record BackupModel
{
    /// <summary>Paths to archive, relative to the server's directory (no <c>..</c>, not absolute); empty: the whole directory.</summary>
    public List<string> Paths { get; set; } = [];

    /// <summary>Stop the server before a backup and start it again after (the default of each backup request).</summary>
    public bool StopServer { get; set; }
}

public sealed record RconModel
{
    public bool Enabled { get; set; }

    public int? Port { get; set; }

    /// <summary>Admins only. With RCON enabled, null means "generate one" (or keep the stored one on update).</summary>
    public string? Password { get; set; }
}

public sealed record StopModel
{
    public StopMode Mode { get; set; } = StopMode.SigTerm;

    public string Command { get; set; } = "stop";

    public int TimeoutSeconds { get; set; } = 10;
}

public sealed record LimitsModel
{
    public int? MaxMemoryMb { get; set; }

    public int? MaxOpenFiles { get; set; }

    public int? CpuWarnPercent { get; set; }

    /// <summary>CPU quota (100 = one core) of the server's cgroup; not enforced without one.</summary>
    public int? MaxCpuPercent { get; set; }

    /// <summary>Processes and threads the server's cgroup may hold (pids.max); not enforced without one.</summary>
    public int? MaxProcesses { get; set; }

    /// <summary>Over <see cref="CpuWarnPercent"/> or <see cref="MaxMemoryMb"/> for N samples: warn, or warn and restart.</summary>
    public LimitAction LimitAction { get; set; } = LimitAction.Warn;

    /// <summary>Lines per second sent to each hub subscriber (browser console, scripts); null = unthrottled.</summary>
    public int? BrowserLinesPerSecond { get; set; }
}
