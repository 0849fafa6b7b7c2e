using System.Globalization;
using ServerDashboard.Servers;

namespace ServerDashboard.Components.Servers;

/// <summary>
/// The form's view of a <see cref="ServerModel"/>: argv and log files as one entry per line, environment as rows, and
/// whole numbers as the text the user typed. Lines are the only sane way to edit an argv in a browser without inventing
/// a quoting language; numbers stay text so "70000", "-5" or "abc" reach a message beside the field instead of being
/// clamped or silently dropped by a numeric input.
/// </summary>
public sealed class ServerFormState
{
    public ServerFormState(ServerModel model)
    {
        Model = model;
        CommandLines = string.Join('\n', model.Command);
        LogFileLines = string.Join('\n', model.LogFiles);
        BackupPathLines = string.Join('\n', model.Backup.Paths);
        Environment = model.Environment
            .Select(kv => new EnvironmentRow { Key = kv.Key, Value = kv.Value, Secret = model.SecretEnvironmentKeys.Contains(kv.Key) })
            .ToList();
        PortText = Text(model.Port);
        RconPortText = Text(model.Rcon.Port);
        StopTimeoutText = Text(model.Stop.TimeoutSeconds);
        MaxMemoryText = Text(model.Limits.MaxMemoryMb);
        MaxOpenFilesText = Text(model.Limits.MaxOpenFiles);
        CpuWarnText = Text(model.Limits.CpuWarnPercent);
        MaxCpuText = Text(model.Limits.MaxCpuPercent);
        MaxProcessesText = Text(model.Limits.MaxProcesses);
        BrowserLinesText = Text(model.Limits.BrowserLinesPerSecond);
        StartupTimeoutText = Text(model.StartupTimeoutSeconds);
    }

    public ServerModel Model { get; }

    public string CommandLines { get; set; }

    public string LogFileLines { get; set; }

    public string BackupPathLines { get; set; }

    public string StartupTimeoutText { get; set; }

    public List<EnvironmentRow> Environment { get; }

    public string PortText { get; set; }

    public string RconPortText { get; set; }

    public string StopTimeoutText { get; set; }

    public string MaxMemoryText { get; set; }

    public string MaxOpenFilesText { get; set; }

    public string CpuWarnText { get; set; }

    public string MaxCpuText { get; set; }

    public string MaxProcessesText { get; set; }

    public string BrowserLinesText { get; set; }

    /// <summary>
    /// The model as the catalog receives it, or the fields whose text is not a whole number (keyed like ServerValidator's
    /// errors, so they show beside the same fields). Ranges are the validator's business: it sees 70000 and −5 as typed.
    /// </summary>
    public bool TryToModel(out ServerModel model, out Dictionary<string, List<string>> errors)
    {
        errors = [];
        model = Model.Clone();
        model.Command = SplitLines(CommandLines);
        model.LogFiles = SplitLines(LogFileLines);
        model.Backup.Paths = SplitLines(BackupPathLines);
        var rows = Environment.Where(r => !string.IsNullOrWhiteSpace(r.Key)).ToList();
        model.Environment = rows.GroupBy(r => r.Key.Trim()).ToDictionary(g => g.Key, g => g.Last().Value);
        model.SecretEnvironmentKeys = rows.Where(r => r.Secret).Select(r => r.Key.Trim()).Distinct().ToList();
        model.Port = Number(PortText, "port", "The port", errors);
        model.Rcon.Port = Number(RconPortText, "rcon.port", "The RCON port", errors);
        model.Stop.TimeoutSeconds = Number(StopTimeoutText, "stop.timeoutSeconds", "The stop timeout", errors) ?? 0;
        model.Limits.MaxMemoryMb = Number(MaxMemoryText, "limits.maxMemoryMb", "Max memory", errors);
        model.Limits.MaxOpenFiles = Number(MaxOpenFilesText, "limits.maxOpenFiles", "Max open files", errors);
        model.Limits.CpuWarnPercent = Number(CpuWarnText, "limits.cpuWarnPercent", "The CPU warning", errors);
        model.Limits.MaxCpuPercent = Number(MaxCpuText, "limits.maxCpuPercent", "Max CPU", errors);
        model.Limits.MaxProcesses = Number(MaxProcessesText, "limits.maxProcesses", "Max processes", errors);
        model.Limits.BrowserLinesPerSecond = Number(BrowserLinesText, "limits.browserLinesPerSecond", "The browser throttle", errors);
        model.StartupTimeoutSeconds = Number(StartupTimeoutText, "startupTimeoutSeconds", "The startup timeout", errors);
        return errors.Count == 0;
    }

    /// <summary>The model when every number parses (tests and callers that know the input is clean).</summary>
    public ServerModel ToModel() => TryToModel(out var model, out var errors)
        ? model
        : throw new FormatException(string.Join(" ", errors.SelectMany(e => e.Value)));

    private static string Text(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static int? Number(string? text, string field, string label, Dictionary<string, List<string>> errors)
    {
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            return null;
        }

        if (int.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors[field] = [$"{label} must be a whole number (got \"{trimmed}\")."];
        return null;
    }

    // Trailing spaces are kept inside an argument on purpose; only the line break separates arguments. Blank lines are dropped.
    private static List<string> SplitLines(string text) =>
        text.Replace("\r", "").Split('\n').Where(line => line.Length > 0 && !string.IsNullOrWhiteSpace(line)).ToList();

    public sealed class EnvironmentRow
    {
        public string Key { get; set; } = "";

        /// <summary>Null: a secret the current user may not see; sending null back keeps the stored value.</summary>
        public string? Value { get; set; } = "";

        public bool Secret { get; set; }
    }
}
