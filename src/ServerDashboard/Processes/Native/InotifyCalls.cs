using System.Runtime.InteropServices;

namespace ServerDashboard.Processes.Native;

// inotify(7), Linux-only: one instance per process serves every watched directory (see Logs/SharedInotify).
internal static partial class LinuxNative
{
    public const uint IN_MODIFY = 0x00000002;
    public const uint IN_ATTRIB = 0x00000004;
    public const uint IN_MOVED_FROM = 0x00000040;
    public const uint IN_MOVED_TO = 0x00000080;
    public const uint IN_CREATE = 0x00000100;
    public const uint IN_DELETE = 0x00000200;
    public const uint IN_DELETE_SELF = 0x00000400;
    public const uint IN_MOVE_SELF = 0x00000800;
    public const uint IN_Q_OVERFLOW = 0x00004000;
    public const uint IN_IGNORED = 0x00008000;
    public const uint IN_ONLYDIR = 0x01000000;
    public const uint IN_DONT_FOLLOW = 0x02000000;
    private const int IN_CLOEXEC = 0x80000;

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int inotify_init1(int flags);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int inotify_add_watch(int fd, string path, uint mask);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int inotify_rm_watch(int fd, int wd);

    /// <summary>A blocking, close-on-exec inotify instance (a spawned server must not inherit it).</summary>
    public static int InotifyInit() => inotify_init1(IN_CLOEXEC) is var fd and >= 0 ? fd : throw LastIOError("inotify_init1");

    /// <returns>The watch descriptor (the same one again for a directory already watched).</returns>
    public static int InotifyAddWatch(int fd, string path, uint mask) =>
        inotify_add_watch(fd, path, mask) is var wd and >= 0 ? wd : throw LastIOError($"inotify_add_watch '{path}'");

    /// <summary>Removes a watch; one the kernel already dropped (its directory is gone) is not an error.</summary>
    public static void InotifyRemoveWatch(int fd, int wd) => _ = inotify_rm_watch(fd, wd);

    /// <summary>Blocks until events arrive; returns the bytes read (whole events), retrying on EINTR.</summary>
    public static unsafe int ReadEvents(int fd, byte[] buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var n = read(fd, p, (nuint)buffer.Length);
                if (n >= 0)
                {
                    return (int)n;
                }

                if (Marshal.GetLastPInvokeError() != EINTR)
                {
                    throw LastIOError("read inotify");
                }
            }
        }
    }
}
