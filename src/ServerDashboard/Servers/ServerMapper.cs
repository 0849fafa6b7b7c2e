using ServerDashboard.Data;

namespace ServerDashboard.Servers;

/// <summary>Maps between the stored definition and the API/form model, hiding secrets from callers that may not see them.</summary>
public static class ServerMapper
{
    public static ServerModel ToModel(ServerDefinition entity, bool includeSecrets) => new()
    {
        Id = entity.Id,
        Name = entity.Name,
        Command = [.. entity.Command],
        WorkingDirectory = entity.WorkingDirectory,
        Environment = entity.Environment.ToDictionary(
            kv => kv.Key,
            kv => includeSecrets || !entity.SecretEnvironmentKeys.Contains(kv.Key) ? kv.Value : null),
        SecretEnvironmentKeys = [.. entity.SecretEnvironmentKeys],
        Port = entity.Port,
        Rcon = new RconModel
        {
            Enabled = entity.RconEnabled,
            Port = entity.RconPort,
            Password = includeSecrets ? entity.RconPassword : null,
        },
        Stop = new StopModel { Mode = entity.StopMode, Command = entity.StopCommand, TimeoutSeconds = entity.StopTimeoutSeconds },
        RestartPolicy = entity.RestartPolicy,
        Limits = new LimitsModel
        {
            MaxMemoryMb = entity.MaxMemoryMb,
            MaxOpenFiles = entity.MaxOpenFiles,
            CpuWarnPercent = entity.CpuWarnPercent,
            MaxCpuPercent = entity.MaxCpuPercent,
            MaxProcesses = entity.MaxProcesses,
            LimitAction = entity.LimitAction,
            BrowserLinesPerSecond = entity.BrowserLinesPerSecond,
        },
        RunAsUser = entity.RunAsUser,
        ReadyPattern = entity.ReadyPattern,
        StartupTimeoutSeconds = entity.StartupTimeoutSeconds,
        RestartOnUnhealthy = entity.RestartOnUnhealthy,
        LogFiles = [.. entity.LogFiles],
        Backup = new BackupModel { Paths = [.. entity.BackupPaths], StopServer = entity.BackupStopServer },
        Notes = entity.Notes,
        CreatedAt = entity.CreatedAt,
        UpdatedAt = entity.UpdatedAt,
    };

    /// <summary>
    /// Copies a validated model onto an entity. Null secrets keep what is stored (a masked resource can be sent back
    /// unchanged); an enabled RCON without any password gets a generated one.
    /// </summary>
    public static void Apply(ServerModel model, ServerDefinition entity, Func<string> generatePassword)
    {
        entity.Name = model.Name.Trim();
        entity.Command = [.. model.Command];
        entity.WorkingDirectory = (model.WorkingDirectory ?? "").Trim();
        var secretKeys = model.SecretEnvironmentKeys.Where(k => k is not null && model.Environment.ContainsKey(k)).Distinct().ToList();
        entity.Environment = model.Environment.ToDictionary(
            kv => kv.Key,
            kv => kv.Value ?? entity.Environment.GetValueOrDefault(kv.Key) ?? "");
        entity.SecretEnvironmentKeys = secretKeys;
        entity.Port = model.Port;
        entity.RconEnabled = model.Rcon.Enabled;
        entity.RconPort = model.Rcon.Port;
        if (!string.IsNullOrEmpty(model.Rcon.Password))
        {
            entity.RconPassword = model.Rcon.Password;
        }
        else if (model.Rcon.Enabled && string.IsNullOrEmpty(entity.RconPassword))
        {
            entity.RconPassword = generatePassword();
        }

        entity.StopMode = model.Stop.Mode;
        entity.StopCommand = string.IsNullOrWhiteSpace(model.Stop.Command) ? "stop" : model.Stop.Command.Trim();
        entity.StopTimeoutSeconds = model.Stop.TimeoutSeconds;
        entity.RestartPolicy = model.RestartPolicy;
        entity.MaxMemoryMb = model.Limits.MaxMemoryMb;
        entity.MaxOpenFiles = model.Limits.MaxOpenFiles;
        entity.CpuWarnPercent = model.Limits.CpuWarnPercent;
        entity.MaxCpuPercent = model.Limits.MaxCpuPercent;
        entity.MaxProcesses = model.Limits.MaxProcesses;
        entity.LimitAction = model.Limits.LimitAction;
        entity.BrowserLinesPerSecond = model.Limits.BrowserLinesPerSecond;
        entity.RunAsUser = string.IsNullOrWhiteSpace(model.RunAsUser) ? null : model.RunAsUser.Trim();
        entity.ReadyPattern = string.IsNullOrEmpty(model.ReadyPattern) ? null : model.ReadyPattern;
        entity.StartupTimeoutSeconds = model.StartupTimeoutSeconds;
        entity.RestartOnUnhealthy = model.RestartOnUnhealthy;
        entity.LogFiles = model.LogFiles.Where(f => !string.IsNullOrWhiteSpace(f)).Select(f => f.Trim()).ToList();
        entity.BackupPaths = model.Backup.Paths.Where(f => !string.IsNullOrWhiteSpace(f)).Select(f => f.Trim().TrimEnd('/')).Where(f => f.Length > 0).Distinct().ToList();
        entity.BackupStopServer = model.Backup.StopServer;
        entity.Notes = model.Notes ?? "";
    }
}
