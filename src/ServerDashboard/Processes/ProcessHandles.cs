using Microsoft.Win32.SafeHandles;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Processes;

/// <summary>Linux-only: pidfds (Linux 5.3+), the race-free way to watch and signal one specific process.</summary>
public sealed class ProcessHandles(ProcFs procFs)
{
    /// <summary>
    /// Opens a pidfd for <paramref name="identity"/>.Pid and only then checks the identity: if it still matches, the pidfd
    /// refers to that very process even if the pid is reused later. Null if the process is gone, changed or a zombie.
    /// </summary>
    public SafeFileHandle? TryOpenVerified(ProcessIdentity identity)
    {
        int fd = LinuxNative.PidfdOpen(identity.Pid);
        if (fd < 0)
        {
            return null;
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (procFs.Check(identity) == IdentityStatus.Alive)
        {
            return handle;
        }

        handle.Dispose();
        return null;
    }

    /// <summary>True once the process behind <paramref name="pidfd"/> has terminated (a pidfd polls readable at exit).</summary>
    public unsafe bool HasExited(SafeFileHandle pidfd)
    {
        bool added = false;
        try
        {
            pidfd.DangerousAddRef(ref added);
            var pfd = new LinuxNative.PollFd { Fd = (int)pidfd.DangerousGetHandle(), Events = LinuxNative.POLLIN };
            int rc = LinuxNative.poll(&pfd, 1, 0);
            return rc > 0 && (pfd.Revents & LinuxNative.POLLIN) != 0;
        }
        finally
        {
            if (added)
            {
                pidfd.DangerousRelease();
            }
        }
    }

    /// <summary>Sends a signal through a pidfd; false if the process is already gone.</summary>
    public bool TrySignal(SafeFileHandle pidfd, int signal)
    {
        bool added = false;
        try
        {
            pidfd.DangerousAddRef(ref added);
            return LinuxNative.PidfdSendSignal((int)pidfd.DangerousGetHandle(), signal) == 0;
        }
        finally
        {
            if (added)
            {
                pidfd.DangerousRelease();
            }
        }
    }
}
