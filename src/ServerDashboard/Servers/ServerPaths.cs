using System.Globalization;

namespace ServerDashboard.Servers;

/// <summary>Where a server's files live under the data directory (see README, "Data directory").</summary>
public static class ServerPaths
{
    public static string ServerDirectory(string dataDir, int serverId) =>
        Path.Combine(dataDir, "servers", serverId.ToString(CultureInfo.InvariantCulture));
}
