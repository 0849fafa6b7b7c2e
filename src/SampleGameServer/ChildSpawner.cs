using System.Diagnostics;

namespace SampleGameServer;

/// <summary>
/// Starts a grandchild that outlives the server, in the server's process group, so tests can check
/// that the dashboard kills the whole group rather than just the main process.
/// </summary>
public static class ChildSpawner
{
    // The shell drops the inherited stdio first, so the grandchild does not keep the log file or FIFO open.
    private const string KeepAliveScript = "exec </dev/null >/dev/null 2>&1; while :; do sleep 1; done";

    public static int SpawnKeepAliveChild()
    {
        var startInfo = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(KeepAliveScript);

        // Disposing the Process object only releases the handle; the child keeps running.
        using var child = Process.Start(startInfo)
            ?? throw new InvalidOperationException("could not start /bin/sh");
        return child.Id;
    }
}
