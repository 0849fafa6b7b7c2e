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
    private const int IN_NONBLOCK = 0x800;

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int inotify_init1(int flags);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int inotify_add_watch(int fd, string path, uint mask);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int inotify_rm_watch(int fd, int wd);

    /// <summary>
    /// A non-blocking, close-on-exec inotify instance (a spawned server must not inherit it); wait for events with
    /// <see cref="WaitReadable"/>.
    /// </summary>
    public static int InotifyInit() => inotify_init1(IN_CLOEXEC | IN_NONBLOCK) is var fd and >= 0 ? fd : throw LastIOError("inotify_init1");

    /// <returns>The watch descriptor (the same one again for a directory already watched).</returns>
    public static int InotifyAddWatch(int fd, string path, uint mask) =>
        inotify_add_watch(fd, path, mask) is var wd and >= 0 ? wd : throw LastIOError($"inotify_add_watch '{path}'");

    /// <summary>Removes a watch; one the kernel already dropped (its directory is gone) is not an error.</summary>
    public static void InotifyRemoveWatch(int fd, int wd) => _ = inotify_rm_watch(fd, wd);

    /// <summary>Reads the queued events into <paramref name="buffer"/>: the bytes read (whole events), 0 when none are queued.</summary>
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

                var errno = Marshal.GetLastPInvokeError();
                if (errno == EAGAIN)
                {
                    return 0;
                }

                if (errno != EINTR)
                {
                    throw LastIOError("read inotify");
                }
            }
        }
    }

    /// <summary>
    /// poll(2) on up to two descriptors (<paramref name="second"/> -1 for none) for at most <paramref name="timeoutMs"/>
    /// (-1: no limit); which of them became readable. EINTR counts as a timeout (the caller loops anyway).
    /// </summary>
    public static unsafe (bool First, bool Second) WaitReadable(int first, int second, int timeoutMs)
    {
        var fds = stackalloc PollFd[2];
        fds[0] = new PollFd { Fd = first, Events = POLLIN };
        fds[1] = new PollFd { Fd = second, Events = POLLIN }; // poll(2) ignores a negative fd
        var rc = poll(fds, 2, timeoutMs);
        if (rc < 0 && Marshal.GetLastPInvokeError() != EINTR)
        {
            throw LastIOError("poll");
        }

        return rc > 0 ? (fds[0].Revents != 0, fds[1].Revents != 0) : (false, false);
    }

    /// <summary>A non-blocking, close-on-exec eventfd: a way to wake a thread blocked in <see cref="WaitReadable"/>.</summary>
    public static int CreateWakeFd() => eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK) is var fd and >= 0 ? fd : throw LastIOError("eventfd");

    /// <summary>Makes the eventfd readable (adds one to its counter).</summary>
    public static unsafe void SignalWakeFd(int fd)
    {
        ulong one = 1;
        _ = write(fd, (byte*)&one, sizeof(ulong));
    }

    /// <summary>Resets the eventfd's counter so it no longer polls readable.</summary>
    public static unsafe void ResetWakeFd(int fd)
    {
        ulong count;
        _ = read(fd, (byte*)&count, sizeof(ulong));
    }
}
