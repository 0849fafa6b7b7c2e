using System.Globalization;
using System.Text.RegularExpressions;

namespace ServerDashboard.Ports;

/// <summary>Links to the Ports page's entry for a port, e.g. from a start refused because its port is taken.</summary>
public static partial class PortLinks
{
    /// <summary>The Ports page with the port looked up, scrolled to its managed-port row when it has one.</summary>
    public static string Href(int port) => string.Create(CultureInfo.InvariantCulture, $"ports?port={port}#port-{port}");

    /// <summary>The port named by the supervisor's port-conflict refusal ("its game port 27015 is already in use by ..."); null otherwise.</summary>
    public static int? ConflictPort(string? message) =>
        message is not null && ConflictPattern().Match(message) is { Success: true } match
            ? int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture)
            : null;

    [GeneratedRegex(@"port (\d{1,5}) is already in use")]
    private static partial Regex ConflictPattern();
}
