using System.Runtime.InteropServices;

namespace ServerDashboard.Processes.Native;

// Linux-only: the one place that calls glibc directly. Constants are Linux values (x86_64 and arm64,
// with the two open(2) flags that differ chosen at run time).
internal static unsafe partial class LinuxNative
{
    // .NET maps "libc" to the platform C library (libc.so.6 on glibc).
    private const string Libc = "libc";

    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    public const int WNOHANG = 1;

    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int EAGAIN = 11; // == EWOULDBLOCK on Linux
    public const int EEXIST = 17;
    public const int ENXIO = 6;
    public const int EPIPE = 32;
    public const int ECHILD = 10;
    public const int ENOSYS = 38;

    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_NOCTTY = 0x100;
    public const int O_APPEND = 0x400;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    // arm64 uses the asm-generic values for these two; x86_64 has its own.
    public static readonly int O_DIRECTORY = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x4000 : 0x10000;
    public static readonly int O_NOFOLLOW = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x8000 : 0x20000;

    public const int LOCK_SH = 1;
    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;
    public const int LOCK_UN = 8;

    public const int X_OK = 1;

    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;
    public const short POSIX_SPAWN_SETSID = 0x80;

    public const short POLLIN = 0x1;

    private const int _SC_CLK_TCK = 2;

    // glibc's opaque spawn types are 80 and 336 bytes and sigset_t is 128 bytes on x86_64/arm64;
    // we allocate more so a larger future layout cannot overflow.
    public const int SpawnFileActionsSize = 256;
    public const int SpawnAttrSize = 1024;
    public const int SigSetSize = 256;

    // The pidfd syscalls have the same numbers on x86_64 and arm64 (unified table since Linux 5.1);
    // calling them through syscall(2) works with any glibc (the wrappers only appeared in 2.36).
    private const long SYS_pidfd_send_signal = 424;
    private const long SYS_pidfd_open = 434;

    private const int AT_EMPTY_PATH = 0x1000;
    private const uint STATX_BASIC_STATS = 0x7ff;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    // posix_spawn and its helpers return the error number instead of setting errno.
    [LibraryImport(Libc)]
    public static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_init(void* fileActions);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_destroy(void* fileActions);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_addopen(void* fileActions, int fd, byte* path, int oflag, uint mode);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newFd);

    // glibc >= 2.34.
    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_addclosefrom_np(void* fileActions, int from);

    // glibc >= 2.29: posix_spawn has no other way to set the child's working directory.
    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_addchdir_np(void* fileActions, byte* path);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_init(void* attr);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_setsigdefault(void* attr, void* sigset);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_setsigmask(void* attr, void* sigset);

    [LibraryImport(Libc)]
    public static partial int sigfillset(void* sigset);

    [LibraryImport(Libc)]
    public static partial int sigemptyset(void* sigset);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int waitpid(int pid, int* status, int options);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial long syscall(long number, long arg1, long arg2, long arg3, long arg4);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int poll(PollFd* fds, ulong count, int timeoutMs);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int flock(int fd, int operation);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mkfifo(string path, uint mode);

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags, uint mode);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint write(int fd, byte* buffer, nuint count);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int fsync(int fd);

    [LibraryImport(Libc, EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint realpath_native(string path, nint resolved);

    [LibraryImport(Libc)]
    private static partial void free(nint pointer);

    /// <summary>realpath(3): every symlink in the path resolved, as /proc/&lt;pid&gt;/exe shows it; null if it fails.</summary>
    public static string? RealPath(string path)
    {
        nint resolved = realpath_native(path, 0);
        if (resolved == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            free(resolved);
        }
    }

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint read(int fd, byte* buffer, nuint count);

    public const int EFD_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800;

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int eventfd(uint initialValue, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int ftruncate(int fd, long length);

    [LibraryImport(Libc)]
    public static partial uint geteuid();

    [LibraryImport(Libc, SetLastError = true)]
    private static partial long sysconf(int name);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int access(string path, int mode);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirFd, string path, int flags, uint mask, byte* buffer);

    public static int PidfdOpen(int pid) => (int)syscall(SYS_pidfd_open, pid, 0, 0, 0);

    public static int PidfdSendSignal(int pidfd, int signal) => (int)syscall(SYS_pidfd_send_signal, pidfd, signal, 0, 0);

    public static long ClockTicksPerSecond()
    {
        long ticks = sysconf(_SC_CLK_TCK);
        return ticks > 0 ? ticks : 100; // USER_HZ is 100 on every mainstream Linux build.
    }

    /// <summary>fstat through statx(2), whose struct layout is the same on every architecture (struct stat is not).</summary>
    public static FileStatus FStat(int fd)
    {
        byte* buffer = stackalloc byte[256];
        if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, buffer) != 0)
        {
            throw IOFromErrno(Marshal.GetLastPInvokeError(), "statx on an open file");
        }

        return StatusOf(buffer);
    }

    /// <summary>statx of a path without following a final symbolic link (lstat semantics, no open); null when it is missing or unreadable.</summary>
    private static FileStatus? StatNoFollow(string path)
    {
        byte* buffer = stackalloc byte[256];
        if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buffer) != 0)
        {
            return null;
        }

        return StatusOf(buffer);
    }

    /// <summary>Offsets from struct statx in &lt;linux/stat.h&gt;.</summary>
    private static FileStatus StatusOf(byte* statxBuffer) => new(
        Uid: *(uint*)(statxBuffer + 20),
        Mode: *(ushort*)(statxBuffer + 28),
        Size: *(long*)(statxBuffer + 40));

    private const int AT_FDCWD = -100;
    private const uint STATX_INO = 0x100;

    private const int AT_SYMLINK_NOFOLLOW = 0x100;

    /// <summary>(device, inode) of an open fd, or of a path (a symlink itself, not its target); null when the path does not exist.</summary>
    public static (ulong Device, ulong Inode)? StatxIdentity(int fd, string? path)
    {
        byte* buffer = stackalloc byte[256];
        int rc = path is null
            ? statx(fd, "", AT_EMPTY_PATH, STATX_INO, buffer)
            : statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_INO, buffer);
        if (rc != 0)
        {
            return null;
        }

        // struct statx: stx_ino at 32, stx_dev_major at 136, stx_dev_minor at 140.
        ulong device = ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140);
        return (device, *(ulong*)(buffer + 32));
    }

    /// <summary>stx_size of <paramref name="path"/> (links not followed); null when it cannot be stat'ed.</summary>
    public static long? StatxSize(string path)
    {
        byte* buffer = stackalloc byte[256];
        const uint STATX_SIZE = 0x200;
        if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_SIZE, buffer) != 0)
        {
            return null;
        }

        return *(long*)(buffer + 40); // struct statx: stx_size at 40
    }

    public readonly record struct FileStatus(uint Uid, ushort Mode, long Size)
    {
        private const int S_IFMT = 0xF000;
        private const int S_IFREG = 0x8000;
        private const int S_IFIFO = 0x1000;
        private const int S_IFDIR = 0x4000;
        private const int S_IFLNK = 0xA000;

        public bool IsRegularFile => (Mode & S_IFMT) == S_IFREG;

        public bool IsFifo => (Mode & S_IFMT) == S_IFIFO;

        public bool IsDirectory => (Mode & S_IFMT) == S_IFDIR;

        public bool IsSymbolicLink => (Mode & S_IFMT) == S_IFLNK;

        public int Permissions => Mode & 0xFFF;
    }
}
