using System.Text.RegularExpressions;

namespace ServerDashboard.Servers;

/// <summary>
/// Values for the placeholders that may appear in argv and environment values, expanded at launch
/// (see docs/server-definitions.md). Unknown <c>{names}</c> are left as they are, so arguments that
/// legitimately contain braces survive.
/// </summary>
public sealed record PlaceholderValues(
    int? Port,
    int? RconPort,
    string? RconPassword,
    string ServerDirectory,
    string DataDirectory,
    int? MemoryMb)
{
    public static readonly IReadOnlyList<string> Names = ["port", "rconPort", "rconPassword", "serverDir", "dataDir", "memory"];
}

public static partial class Placeholders
{
    [GeneratedRegex(@"\{(port|rconPort|rconPassword|serverDir|dataDir|memory)\}")]
    private static partial Regex Token();

    public static string Expand(string text, PlaceholderValues values) => Token().Replace(text, match => match.Groups[1].Value switch
    {
        "port" => values.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
        "rconPort" => values.RconPort?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
        "rconPassword" => values.RconPassword ?? "",
        "serverDir" => values.ServerDirectory,
        "dataDir" => values.DataDirectory,
        "memory" => values.MemoryMb?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
        _ => match.Value,
    });

    public static bool Contains(string text, string name) => text.Contains('{' + name + '}', StringComparison.Ordinal);

    public static bool ContainsAny(string text) => Token().IsMatch(text);
}
