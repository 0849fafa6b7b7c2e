using ServerDashboard.Data;

namespace ServerDashboard.Jobs;

/// <summary>A job type as the REST API and the UI send and receive it.</summary>
public sealed record JobTypeModel
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    public List<string> Command { get; set; } = [];

    public string? WorkingDirectory { get; set; }

    public Dictionary<string, string> Environment { get; set; } = new();

    public int? TimeoutSeconds { get; set; }

    public int MaxConcurrent { get; set; } = 1;

    public int? ServerId { get; set; }

    public static JobTypeModel From(JobType type) => new()
    {
        Id = type.Id,
        Name = type.Name,
        Command = type.Argv,
        WorkingDirectory = type.WorkingDirectory,
        Environment = type.Environment,
        TimeoutSeconds = type.TimeoutSeconds,
        MaxConcurrent = type.MaxConcurrent,
        ServerId = type.ServerId,
    };

    /// <summary>Field errors (empty when valid). Names follow <see cref="JobFiles.IsValidName"/>; "backup" is built in.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (!JobFiles.IsValidName(Name))
        {
            errors["name"] = [$"invalid name: {JobFiles.NameRule}"];
        }
        else if (string.Equals(Name, BackupJobs.TypeName, StringComparison.OrdinalIgnoreCase))
        {
            errors["name"] = ["'backup' is the built-in backup job type"];
        }

        if (Command is not { Count: > 0 } || string.IsNullOrWhiteSpace(Command[0]) || Command.Any(a => a is null || a.Contains('\0')))
        {
            errors["command"] = ["the command is an argv: a non-empty list of strings, the program first"];
        }

        if (TimeoutSeconds is <= 0)
        {
            errors["timeoutSeconds"] = ["must be positive (or null for no limit)"];
        }

        if (MaxConcurrent is < 1 or > 1000)
        {
            errors["maxConcurrent"] = ["must be between 1 (one at a time) and 1000"];
        }

        if (WorkingDirectory is { Length: > 0 } wd && !Path.IsPathRooted(wd) && !wd.StartsWith('{'))
        {
            errors["workingDirectory"] = ["must be an absolute path (or start with a placeholder such as {serverDir})"];
        }

        if (Environment?.Keys.Any(k => k.Length == 0 || k.Contains('=') || k.Contains('\0')) == true)
        {
            errors["environment"] = ["variable names must be non-empty and contain no '='"];
        }

        return errors;
    }
}
