using ServerDashboard.Servers;

namespace ServerDashboard.Components.Servers;

/// <summary>
/// The form's view of a <see cref="ServerModel"/>: argv and log files as one entry per line, environment as rows.
/// Lines are the only sane way to edit an argv in a browser without inventing a quoting language.
/// </summary>
public sealed class ServerFormState
{
    public ServerFormState(ServerModel model)
    {
        Model = model;
        CommandLines = string.Join('\n', model.Command);
        LogFileLines = string.Join('\n', model.LogFiles);
        Environment = model.Environment
            .Select(kv => new EnvironmentRow { Key = kv.Key, Value = kv.Value, Secret = model.SecretEnvironmentKeys.Contains(kv.Key) })
            .ToList();
    }

    public ServerModel Model { get; }

    public string CommandLines { get; set; }

    public string LogFileLines { get; set; }

    public List<EnvironmentRow> Environment { get; }

    /// <summary>The model as the catalog receives it.</summary>
    public ServerModel ToModel()
    {
        var model = Model.Clone();
        model.Command = SplitLines(CommandLines);
        model.LogFiles = SplitLines(LogFileLines);
        var rows = Environment.Where(r => !string.IsNullOrWhiteSpace(r.Key)).ToList();
        model.Environment = rows.GroupBy(r => r.Key.Trim()).ToDictionary(g => g.Key, g => g.Last().Value);
        model.SecretEnvironmentKeys = rows.Where(r => r.Secret).Select(r => r.Key.Trim()).Distinct().ToList();
        return model;
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
