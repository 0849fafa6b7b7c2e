using System.Runtime.InteropServices;

namespace ServerDashboard.Processes.Native;

// File-mode calls through libc rather than File.SetUnixFileMode & co., which the platform analyzer would
// force every caller of this module to guard (the web project is not marked Linux-only as a whole).
internal static partial class LinuxNative
{
    public const uint Mode0600 = 0x180;
    public const uint Mode0700 = 0x1C0;

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mkdir(string path, uint mode);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chmod(string path, uint mode);

    public static void Chmod(string path, uint mode)
    {
        if (chmod(path, mode) != 0)
        {
            throw LastIOError($"chmod {Convert.ToString(mode, 8)} '{path}'");
        }
    }

    /// <summary>Creates a directory (and missing parents) with <paramref name="mode"/> for the last component.</summary>
    public static void CreateDirectory(string path, uint mode)
    {
        string? parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(path));
        if (!string.IsNullOrEmpty(parent) && !Directory.Exists(parent))
        {
            Directory.CreateDirectory(parent);
        }

        if (mkdir(path, mode) != 0 && Marshal.GetLastPInvokeError() != EEXIST)
        {
            throw LastIOError($"mkdir '{path}'");
        }
    }

    /// <summary>lstat-free status of a path: opens it with O_NOFOLLOW|O_NONBLOCK (a symlink fails, a FIFO does not block) and fstats the fd.</summary>
    public static FileStatus? TryStatNoFollow(string path, bool directory = false)
    {
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW | (directory ? O_DIRECTORY : 0), 0);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            return FStat(fd);
        }
        finally
        {
            close(fd);
        }
    }
}
