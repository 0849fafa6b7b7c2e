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

    /// <summary>
    /// Status of the path itself (statx with AT_SYMLINK_NOFOLLOW): null when it is missing, a symbolic link, or (with
    /// <paramref name="directory"/>) not a directory. The file is never opened: closing any fd of a file drops every POSIX
    /// (fcntl) lock this process holds on it, and SQLite keeps its locks on dashboard.db, -wal and -shm that way. An
    /// open-and-fstat here, run by the start-up permission check on the database files, silently released the dashboard's
    /// locks; the next CLI process (a backup job) to close the database then believed itself the last user, checkpointed
    /// and deleted the WAL and -shm under the running dashboard, whose next write failed with "disk I/O error".
    /// </summary>
    public static FileStatus? TryStatNoFollow(string path, bool directory = false) =>
        StatNoFollow(path) is { } status && !status.IsSymbolicLink && (!directory || status.IsDirectory) ? status : null;
}
