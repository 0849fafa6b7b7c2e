using System.Runtime.InteropServices;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Processes;

public enum ReapState
{
    StillRunning,
    Reaped,
    /// <summary>waitpid says ECHILD: not a child of this dashboard (or already reaped).</summary>
    NotOurChild,
}

public readonly record struct ReapResult(ReapState State, ExitStatus? Status = null);

/// <summary>
/// Linux-only: collects the exit status of our own children so no zombie remains. .NET reaps only children started by
/// System.Diagnostics.Process, and waitpid on one specific pid never races it. (If the dashboard's parent set SIGCHLD to
/// SIG_IGN, the kernel and .NET reap everything themselves: exit codes then read as unknown.)
/// </summary>
public sealed class ChildReaper
{
    public unsafe ReapResult TryReap(int pid)
    {
        while (true)
        {
            int status;
            int rc = LinuxNative.waitpid(pid, &status, LinuxNative.WNOHANG);
            if (rc == pid)
            {
                return new ReapResult(ReapState.Reaped, ExitStatus.FromWaitStatus(status));
            }

            if (rc == 0)
            {
                return new ReapResult(ReapState.StillRunning);
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == LinuxNative.EINTR)
            {
                continue;
            }

            return errno == LinuxNative.ECHILD
                ? new ReapResult(ReapState.NotOurChild)
                : throw LinuxNative.IOFromErrno(errno, $"waitpid({pid})");
        }
    }
}
