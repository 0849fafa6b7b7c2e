using Microsoft.Win32.SafeHandles;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Processes;

/// <summary>
/// Which file a path or an open handle refers to: (device, inode). .NET has no inode API, and a log tailer needs one to
/// tell "the same file grew" from "the path now names a new file" (rename+create or delete+recreate rotation).
/// Lives here because Processes/ is the one OS boundary that calls libc.
/// </summary>
public readonly record struct FileIdentity(ulong Device, ulong Inode)
{
    /// <summary>The file <paramref name="path"/> names now, or null when it does not exist (yet, or any more).</summary>
    public static FileIdentity? OfPath(string path) =>
        LinuxNative.StatxIdentity(-1, path) is { } id ? new FileIdentity(id.Device, id.Inode) : null;

    /// <summary>The file behind an open handle, even after its path was renamed or deleted.</summary>
    public static FileIdentity? OfHandle(SafeFileHandle handle)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return LinuxNative.StatxIdentity((int)handle.DangerousGetHandle(), null) is { } id ? new FileIdentity(id.Device, id.Inode) : null;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}
