using System.Globalization;
using ServerDashboard.Components.Processes;
using ServerDashboard.Servers;

namespace ServerDashboard.Components.Servers;

/// <summary>How the servers list and the server page write live figures ("—" when unknown, never a made-up zero).</summary>
public static class ResourceFormat
{
    public static string Cpu(double? percent) => percent is { } p ? p.ToString("0.0", CultureInfo.InvariantCulture) + " %" : ProcessFormat.Unknown;

    public static string Memory(double? megabytes) => megabytes switch
    {
        null => ProcessFormat.Unknown,
        >= 1024 => (megabytes.Value / 1024).ToString("0.00", CultureInfo.InvariantCulture) + " GB",
        _ => megabytes.Value.ToString("0.0", CultureInfo.InvariantCulture) + " MB",
    };

    /// <summary>From the live sample, else from when the supervisor saw the server start; "—" when it is not running.</summary>
    public static string Uptime(ServerResources? resources, ServerStatus status, DateTimeOffset now)
    {
        if (resources?.UptimeSeconds is { } seconds)
        {
            return ProcessFormat.Uptime(seconds);
        }

        return status.State.IsActive() && status.StartedAt is { } started ? ProcessFormat.Uptime((now - started).TotalSeconds) : ProcessFormat.Unknown;
    }
}
