using Microsoft.Extensions.Logging;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Processes;

/// <summary>Linux-only: creates the named pipe a daemon reads its console input from.</summary>
public sealed class StdinFifo(ILogger<StdinFifo> logger)
{
    // 0600: whoever can write to the FIFO can type console commands.
    private const uint FifoMode = LinuxNative.Mode0600;

    /// <summary>Creates the FIFO (mode 0600) and its directory (mode 0700) if missing; fails if a non-FIFO is in the way.</summary>
    public void Ensure(string path)
    {
        string dir = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(dir))
        {
            LinuxNative.CreateDirectory(dir, LinuxNative.Mode0700);
        }

        if (LinuxNative.mkfifo(path, FifoMode) == 0)
        {
            logger.LogDebug("Created stdin FIFO {Path}", path);
            return;
        }

        int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        if (errno != LinuxNative.EEXIST)
        {
            throw new DaemonLaunchException($"cannot create stdin FIFO '{path}': {LinuxNative.DescribeErrno(errno)}");
        }

        LinuxNative.FileStatus? status = LinuxNative.TryStatNoFollow(path);
        if (status is not { IsFifo: true })
        {
            throw new DaemonLaunchException($"'{path}' exists and is not a FIFO (or is a symlink); remove it or choose another stdin path");
        }

        if (status.Value.Permissions != FifoMode)
        {
            LinuxNative.Chmod(path, FifoMode);
        }
    }
}
