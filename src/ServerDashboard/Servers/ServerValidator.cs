using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ServerDashboard.Data;
using ServerDashboard.Hosting;

namespace ServerDashboard.Servers;

/// <summary>
/// Validates a server definition before it is stored. Errors are keyed by the JSON path of the field
/// (<c>name</c>, <c>command</c>, <c>rcon.port</c>, ...) so the API and the form can show them beside the field.
/// </summary>
public sealed partial class ServerValidator(
    IDbContextFactory<DashboardDbContext> dbFactory,
    IOptions<DashboardOptions> options,
    ProgramChecker programs,
    UnixUsers users)
{
    public const int MaxNameLength = 100;

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentKey();

    /// <param name="stored">The stored definition on update: a null value of one of its secret environment keys keeps the stored value.</param>
    public async Task<ValidationErrors> ValidateAsync(ServerModel model, int? existingId, CancellationToken cancellationToken, ServerDefinition? stored = null)
    {
        model.ReplaceNullsWithDefaults();
        var errors = new ValidationErrors();
        var dataDir = options.Value.ResolveDataDirectory();
        var serverDir = existingId is { } id ? ServerPaths.ServerDirectory(dataDir, id) : null;

        ValidateName(model, errors);
        ValidateEnvironment(model, stored, errors);
        ValidateEnums(model, errors);
        var workingDirectory = ValidateWorkingDirectory(model, dataDir, serverDir, errors);
        ValidateCommand(model, dataDir, serverDir, workingDirectory, errors);
        ValidatePorts(model, errors);
        ValidateStop(model, errors);
        ValidateLimits(model, errors);
        ValidateRunAsUser(model, errors);
        ValidateReadyPattern(model, errors);
        ValidateLogFiles(model, workingDirectory, errors);
        ValidateBackupPaths(model, errors);
        if (model.Notes.Length > 4000)
        {
            errors.Add("notes", "Notes must be at most 4000 characters.");
        }

        await ValidateAgainstOtherServersAsync(model, existingId, errors, cancellationToken);
        return errors;
    }

    private static void ValidateName(ServerModel model, ValidationErrors errors)
    {
        var name = model.Name?.Trim() ?? "";
        if (name.Length == 0)
        {
            errors.Add("name", "Name is required.");
        }
        else if (name.Length > MaxNameLength)
        {
            errors.Add("name", $"Name must be at most {MaxNameLength} characters.");
        }
        else if (name.Any(char.IsControl))
        {
            errors.Add("name", "Name must not contain control characters.");
        }
    }

    private static void ValidateEnvironment(ServerModel model, ServerDefinition? stored, ValidationErrors errors)
    {
        foreach (var (key, value) in model.Environment)
        {
            if (!EnvironmentKey().IsMatch(key))
            {
                errors.Add("environment", $"'{key}' is not a valid variable name (letters, digits and _, not starting with a digit).");
            }
            else if (value is null)
            {
                // A masked secret sent back unchanged keeps its stored value; any other null is a mistake.
                var keepsStored = stored is not null && stored.SecretEnvironmentKeys.Contains(key) && stored.Environment.ContainsKey(key);
                if (!keepsStored)
                {
                    errors.Add("environment", $"The value of {key} is null: give a string (\"\" for empty).");
                }
            }
            else if (value.Contains('\0'))
            {
                errors.Add("environment", $"The value of {key} must not contain a NUL character.");
            }
        }

        if (model.SecretEnvironmentKeys.Any(k => k is null))
        {
            errors.Add("secretEnvironmentKeys", "Secret environment keys must be variable names, not null.");
        }
    }

    /// <summary>JSON numbers bind to any enum value: only the documented ones are accepted.</summary>
    private static void ValidateEnums(ServerModel model, ValidationErrors errors)
    {
        if (!Enum.IsDefined(model.RestartPolicy))
        {
            errors.Add("restartPolicy", $"Restart policy must be one of {string.Join(", ", Enum.GetNames<RestartPolicy>())}.");
        }

        if (model.StartupTimeoutSeconds is < 1 or > 86400)
        {
            errors.Add("startupTimeoutSeconds", "Startup timeout must be between 1 and 86400 seconds (or empty for the dashboard's default).");
        }

        if (!Enum.IsDefined(model.Stop.Mode))
        {
            errors.Add("stop.mode", $"Stop mode must be one of {string.Join(", ", Enum.GetNames<StopMode>())}.");
        }
    }

    private string? ValidateWorkingDirectory(ServerModel model, string dataDir, string? serverDir, ValidationErrors errors)
    {
        var raw = model.WorkingDirectory?.Trim() ?? "";
        if (raw.Length == 0)
        {
            return serverDir; // the server's own directory, created at launch
        }

        // {serverDir} does not exist before the server is created; it is created at launch.
        if (serverDir is null && Placeholders.Contains(raw, "serverDir"))
        {
            return null;
        }

        var expanded = Placeholders.Expand(raw, ValuesFor(model, dataDir, serverDir ?? ""));
        if (!Path.IsPathRooted(expanded))
        {
            errors.Add("workingDirectory", "Working directory must be an absolute path.");
            return null;
        }

        if (!Directory.Exists(expanded) && !(serverDir is not null && expanded.StartsWith(serverDir, StringComparison.Ordinal)))
        {
            errors.Add("workingDirectory", $"Working directory {expanded} does not exist.");
            return null;
        }

        return expanded;
    }

    private void ValidateCommand(ServerModel model, string dataDir, string? serverDir, string? workingDirectory, ValidationErrors errors)
    {
        if (model.Command is null || model.Command.Count == 0 || string.IsNullOrWhiteSpace(model.Command[0]))
        {
            errors.Add("command", "Command is required: the program to run, then one argument per entry.");
            return;
        }

        if (model.Command.Any(arg => arg is null || arg.Contains('\0')))
        {
            errors.Add("command", "Arguments must not be null or contain a NUL character.");
            return;
        }

        var program = model.Command[0].Trim();
        if (serverDir is null && Placeholders.Contains(program, "serverDir"))
        {
            return; // lives in the server's own directory, which is created at launch
        }

        var expanded = Placeholders.Expand(program, ValuesFor(model, dataDir, serverDir ?? ""));
        var path = model.Environment.GetValueOrDefault("PATH");
        if (programs.Check(expanded, workingDirectory, path) is { } error)
        {
            errors.Add("command", error);
        }
    }

    private static void ValidatePorts(ServerModel model, ValidationErrors errors)
    {
        if (model.Port is { } port && !IsValidPort(port))
        {
            errors.Add("port", "Port must be between 1 and 65535.");
        }

        if (!model.Rcon.Enabled)
        {
            return;
        }

        if (model.Rcon.Port is not { } rconPort)
        {
            errors.Add("rcon.port", "RCON port is required when RCON is enabled.");
        }
        else if (!IsValidPort(rconPort))
        {
            errors.Add("rcon.port", "RCON port must be between 1 and 65535.");
        }
        else if (rconPort == model.Port)
        {
            errors.Add("rcon.port", "RCON port must differ from the game port.");
        }

        if (model.Rcon.Password is { Length: > 0 } password && (password.Length < 8 || password.Length > 128 || password.Any(char.IsWhiteSpace)))
        {
            errors.Add("rcon.password", "RCON password must be 8 to 128 characters without spaces (leave it empty to generate one).");
        }
    }

    private static void ValidateStop(ServerModel model, ValidationErrors errors)
    {
        if (model.Stop.TimeoutSeconds is < 1 or > 3600)
        {
            errors.Add("stop.timeoutSeconds", "Stop timeout must be between 1 and 3600 seconds.");
        }

        if (model.Stop.Mode == StopMode.Rcon)
        {
            if (!model.Rcon.Enabled)
            {
                errors.Add("stop.mode", "Stop mode Rcon needs RCON to be enabled.");
            }

            if (string.IsNullOrWhiteSpace(model.Stop.Command))
            {
                errors.Add("stop.command", "The RCON stop command is required with stop mode Rcon.");
            }
        }
    }

    private static void ValidateLimits(ServerModel model, ValidationErrors errors)
    {
        if (model.Limits.MaxMemoryMb is < 16 or > 4_194_304)
        {
            errors.Add("limits.maxMemoryMb", "Max memory must be between 16 and 4194304 MB.");
        }

        if (model.Limits.MaxOpenFiles is < 16 or > 1_048_576)
        {
            errors.Add("limits.maxOpenFiles", "Max open files must be between 16 and 1048576.");
        }

        if (model.Limits.CpuWarnPercent is < 1 or > 12_800)
        {
            errors.Add("limits.cpuWarnPercent", "CPU warning must be between 1 and 12800 % (100 % = one core).");
        }

        // Below 1 % of a core the CFS quota (1 ms per 100 ms period) is the kernel's minimum; above 128 cores nothing is limited.
        if (model.Limits.MaxCpuPercent is < 1 or > 12_800)
        {
            errors.Add("limits.maxCpuPercent", "Max CPU must be between 1 and 12800 % (100 % = one core).");
        }

        // A game server needs a handful of processes and dozens of threads (a JVM starts ~30): fewer than 8 cannot start one.
        if (model.Limits.MaxProcesses is < 8 or > 4_194_304)
        {
            errors.Add("limits.maxProcesses", "Max processes must be between 8 and 4194304 (threads count too).");
        }

        if (model.Limits.BrowserLinesPerSecond is < 1 or > 100_000)
        {
            errors.Add("limits.browserLinesPerSecond", "Browser throttle must be between 1 and 100000 lines/s (leave it empty for no throttle).");
        }

        if (!Enum.IsDefined(model.Limits.LimitAction))
        {
            errors.Add("limits.limitAction", "The limit action must be Warn or Restart.");
        }
        else if (model.Limits.LimitAction == LimitAction.Restart && model.Limits.CpuWarnPercent is null && model.Limits.MaxMemoryMb is null)
        {
            errors.Add("limits.limitAction", "Restart over a limit needs a CPU warning or a max memory to watch.");
        }
    }

    private void ValidateRunAsUser(ServerModel model, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(model.RunAsUser))
        {
            if (users.CurrentUserIsRoot && options.Value.Security.RequireRunAsUser)
            {
                errors.Add("runAsUser", RunAsAdvisor.RequiredMessage);
            }

            return;
        }

        var user = model.RunAsUser.Trim();
        if (user.Length == 0)
        {
            return;
        }

        if (!users.Exists(user))
        {
            errors.Add("runAsUser", $"No user named '{user}' exists on this host.");
        }
        else if (!users.CurrentUserIsRoot && user != users.CurrentUserName)
        {
            errors.Add("runAsUser", $"Running as '{user}' needs the dashboard to run as root.");
        }
    }

    private static void ValidateReadyPattern(ServerModel model, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(model.ReadyPattern))
        {
            return;
        }

        try
        {
            _ = new Regex(model.ReadyPattern, RegexOptions.None, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException ex)
        {
            errors.Add("readyPattern", $"Ready pattern is not a valid regular expression: {ex.Message}");
        }
    }

    /// <summary>
    /// Trimmed first (they are stored trimmed: " /etc/shadow" must not pass as relative), then each must resolve to a path
    /// inside the working directory. The tailer enforces the same at open time, without following links.
    /// </summary>
    private static void ValidateLogFiles(ServerModel model, string? workingDirectory, ValidationErrors errors)
    {
        // A new server's directory is not known yet: any absolute root checks the relative path the same way.
        var root = Path.TrimEndingDirectorySeparator(workingDirectory ?? "/working-directory");
        foreach (var entry in model.LogFiles)
        {
            if (string.IsNullOrWhiteSpace(entry))
            {
                errors.Add("logFiles", "Log files must be relative paths, not null or empty.");
                continue;
            }

            var file = entry.Trim();
            if (file.Any(char.IsControl))
            {
                errors.Add("logFiles", "Log file paths must not contain control characters (NUL, newline...).");
            }
            else if (Path.IsPathRooted(file) || file.Split('/').Contains("..")
                     || !Path.GetFullPath(file, root).StartsWith(root + "/", StringComparison.Ordinal))
            {
                errors.Add("logFiles", $"Log file '{file}' must be relative to the working directory and stay inside it (no '..').");
            }
        }
    }

    /// <summary>
    /// Backup paths are relative to the server's directory and stay inside it: not absolute, no <c>..</c> component, no
    /// control characters. Links are checked when the backup runs (a path whose component is a link is refused then):
    /// the game can plant one at any time, so a check here would prove nothing.
    /// </summary>
    private static void ValidateBackupPaths(ServerModel model, ValidationErrors errors)
    {
        if (model.Backup.Paths.Count > 100)
        {
            errors.Add("backup.paths", "At most 100 backup paths.");
        }

        foreach (var entry in model.Backup.Paths)
        {
            if (string.IsNullOrWhiteSpace(entry))
            {
                errors.Add("backup.paths", "Backup paths must be relative paths, not null or empty.");
                continue;
            }

            var path = entry.Trim();
            if (path.Any(char.IsControl))
            {
                errors.Add("backup.paths", "Backup paths must not contain control characters (NUL, newline...).");
            }
            else if (path.StartsWith('/') || path.StartsWith('~') || path.Split('/').Any(part => part is ".." or "."))
            {
                errors.Add("backup.paths", $"Backup path '{path}' must be relative to the server's directory and stay inside it (no '..', not absolute).");
            }
        }
    }

    private async Task ValidateAgainstOtherServersAsync(ServerModel model, int? existingId, ValidationErrors errors, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var others = await db.Servers.AsNoTracking()
            .Where(s => existingId == null || s.Id != existingId)
            .Select(s => new { s.Name, s.Port, s.RconEnabled, s.RconPort })
            .ToListAsync(cancellationToken);

        var name = model.Name?.Trim() ?? "";
        if (name.Length > 0 && others.Any(o => string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add("name", $"A server named '{name}' already exists.");
        }

        string? OwnerOf(int port) => others.FirstOrDefault(o => o.Port == port || (o.RconEnabled && o.RconPort == port))?.Name;

        if (model.Port is { } gamePort && IsValidPort(gamePort) && OwnerOf(gamePort) is { } owner)
        {
            errors.Add("port", $"Port {gamePort} is already used by server '{owner}'.");
        }

        if (model.Rcon.Enabled && model.Rcon.Port is { } rconPort && IsValidPort(rconPort) && OwnerOf(rconPort) is { } rconOwner)
        {
            errors.Add("rcon.port", $"Port {rconPort} is already used by server '{rconOwner}'.");
        }
    }

    private static bool IsValidPort(int port) => port is >= 1 and <= 65535;

    private static PlaceholderValues ValuesFor(ServerModel model, string dataDir, string serverDir) =>
        new(model.Port, model.Rcon.Port, model.Rcon.Password, serverDir, dataDir, model.Limits.MaxMemoryMb);
}

/// <summary>Field errors keyed by JSON path, in the shape of RFC 7807 validation problem details.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> errors = [];

    public bool IsValid => errors.Count == 0;

    public IReadOnlyDictionary<string, List<string>> Fields => errors;

    public void Add(string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }

        list.Add(message);
    }

    public Dictionary<string, string[]> ToDictionary() => errors.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
}
