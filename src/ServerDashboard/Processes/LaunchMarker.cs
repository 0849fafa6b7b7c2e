namespace ServerDashboard.Processes;

/// <summary>
/// The environment variable that marks a daemon with its launch: <c>SERVERDASHBOARD_LAUNCH_ID=&lt;guid&gt;</c>. The guid
/// is in the launch record (0600, in the 0700 run directory) before the spawn, and /proc/&lt;pid&gt;/environ shows it in the
/// daemon from its first instruction on, so a dashboard that died mid-launch finds the daemon again.
/// </summary>
public static class LaunchMarker
{
    public const string Variable = "SERVERDASHBOARD_LAUNCH_ID";

    public static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>True when the NUL-separated environment block holds exactly <c>Variable=launchId</c>.</summary>
    public static bool IsIn(ReadOnlySpan<byte> environ, string launchId)
    {
        byte[] wanted = System.Text.Encoding.ASCII.GetBytes($"{Variable}={launchId}");
        while (!environ.IsEmpty)
        {
            int end = environ.IndexOf((byte)0);
            ReadOnlySpan<byte> entry = end < 0 ? environ : environ[..end];
            if (entry.SequenceEqual(wanted))
            {
                return true;
            }

            environ = end < 0 ? [] : environ[(end + 1)..];
        }

        return false;
    }
}
