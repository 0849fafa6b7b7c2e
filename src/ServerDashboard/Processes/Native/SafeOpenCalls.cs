using System.Runtime.InteropServices;
using System.Text;

namespace ServerDashboard.Processes.Native;

// openat2(2) and openat(2): opening files inside a directory a game account can write, without following symlinks.
internal static unsafe partial class LinuxNative
{
    // Same number on x86_64 and arm64 (the unified syscall table since Linux 5.1); glibc has no wrapper.
    private const long SYS_openat2 = 437;

    public const int O_PATH = 0x200000; // 010000000 on x86_64 and arm64 alike
    public const int ELOOP = 40;
    public const int EXDEV = 18;
    public const int ENOENT = 2;
    public const int ENOTDIR = 20;
    public const int EACCES = 13;
    public const int EPERM = 1;
    public const int E2BIG = 7;
    public const int EINVAL = 22;

    private const ulong RESOLVE_NO_MAGICLINKS = 0x02;
    private const ulong RESOLVE_NO_SYMLINKS = 0x04;
    private const ulong RESOLVE_BENEATH = 0x08;

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [LibraryImport(Libc, SetLastError = true)]
    private static partial long syscall(long number, long arg1, void* arg2, void* arg3, long arg4);

    [LibraryImport(Libc, EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int openat(int dirFd, string path, int flags, uint mode);

    /// <summary>
    /// openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS: the kernel refuses a symlink anywhere in
    /// <paramref name="relativePath"/> (ELOOP) and any ".." or absolute path that leaves <paramref name="dirFd"/> (EXDEV).
    /// Returns the fd, or -errno.
    /// </summary>
    public static int OpenBeneathNoSymlinks(int dirFd, string relativePath, int flags, uint mode)
    {
        byte[] path = Encoding.UTF8.GetBytes(relativePath + "\0");
        var how = new OpenHow
        {
            Flags = (ulong)flags,
            Mode = (flags & O_CREAT) != 0 ? mode : 0, // the kernel refuses a mode without O_CREAT/O_TMPFILE
            Resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        fixed (byte* p = path)
        {
            long fd = syscall(SYS_openat2, dirFd, p, &how, sizeof(OpenHow));
            return fd >= 0 ? (int)fd : -Marshal.GetLastPInvokeError();
        }
    }

    /// <summary>statx nlink of an open fd (hard links: a second name for a file elsewhere).</summary>
    public static uint FStatLinkCount(int fd)
    {
        byte* buffer = stackalloc byte[256];
        if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, buffer) != 0)
        {
            throw IOFromErrno(Marshal.GetLastPInvokeError(), "statx on an open file");
        }

        return *(uint*)(buffer + 16); // struct statx: stx_nlink
    }
}
