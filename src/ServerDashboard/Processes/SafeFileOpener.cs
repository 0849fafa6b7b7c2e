using Microsoft.Win32.SafeHandles;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Processes;

/// <summary>How <see cref="SafeFileOpener"/> opens a file.</summary>
public enum SafeOpenMode
{
    /// <summary>Read only; the file must exist.</summary>
    Read,
    /// <summary>Read and write (copytruncate); the file must exist.</summary>
    ReadWrite,
    /// <summary>Write, appending, created (0640) when missing: a daemon's console.log.</summary>
    AppendCreate,
}

/// <summary>A file was not opened because doing so would have followed a link or left its directory.</summary>
public sealed class UnsafeFileException(string message, int errno = 0) : IOException(message, errno);

/// <summary>
/// Linux-only: opens files that a game account can influence (console.log, a server's extra log files) the way root must:
/// never through a symbolic link (anywhere in the path), never outside the directory the file belongs to, only a regular
/// file with one name. A game that replaces <c>logs/latest.log</c> with a link to <c>/etc/shadow</c> or to the
/// data-protection keys gets a refusal, not their contents; a dangling <c>console.log</c> link does not make root create
/// its target. Uses openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) (Linux 5.6+), else an O_NOFOLLOW walk component by component.
/// </summary>
public static class SafeFileOpener
{
    // rw-r----- : a console log may be read by the operator's group, never written by it.
    public const uint CreatedFileMode = 0x1A0; // 0640

    /// <summary>
    /// Opens <paramref name="path"/> (absolute, or relative to <paramref name="directory"/>), which must lie beneath
    /// <paramref name="directory"/>. <paramref name="directory"/> itself is trusted (the dashboard's or an Admin's choice).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file (or a directory on the way) does not exist.</exception>
    /// <exception cref="UnsafeFileException">A link, a path leaving the directory, or not a regular file: refused.</exception>
    public static SafeFileHandle Open(string directory, string path, SafeOpenMode mode) =>
        Open(directory, path, mode, useOpenat2: true);

    /// <summary>A read-only stream over <see cref="Open(string, string, SafeOpenMode)"/>.</summary>
    public static FileStream OpenRead(string directory, string path) =>
        new(Open(directory, path, SafeOpenMode.Read), FileAccess.Read, bufferSize: 0);

    internal static SafeFileHandle Open(string directory, string path, SafeOpenMode mode, bool useOpenat2)
    {
        var root = Path.GetFullPath(directory);
        var relative = RelativeBeneath(root, path);
        int flags = mode switch
        {
            SafeOpenMode.Read => LinuxNative.O_RDONLY,
            SafeOpenMode.ReadWrite => LinuxNative.O_RDWR,
            _ => LinuxNative.O_WRONLY | LinuxNative.O_APPEND | LinuxNative.O_CREAT | LinuxNative.O_NOCTTY,
        };
        // O_NONBLOCK: a FIFO planted in place of the log must not hang the open (it is refused below); regular files ignore it.
        flags |= LinuxNative.O_CLOEXEC | LinuxNative.O_NONBLOCK;

        int dirFd = LinuxNative.open(root, LinuxNative.O_PATH | LinuxNative.O_DIRECTORY | LinuxNative.O_CLOEXEC, 0);
        if (dirFd < 0)
        {
            throw Fail(System.Runtime.InteropServices.Marshal.GetLastPInvokeError(), root, path, root);
        }

        int fd;
        try
        {
            fd = useOpenat2 ? LinuxNative.OpenBeneathNoSymlinks(dirFd, relative, flags, CreatedFileMode) : -LinuxNative.ENOSYS;
            if (fd == -LinuxNative.ENOSYS || fd == -LinuxNative.EPERM && useOpenat2)
            {
                // Kernels before 5.6 (and seccomp filters that deny openat2 with EPERM/ENOSYS): walk it ourselves.
                fd = OpenByWalking(dirFd, relative, flags);
            }
        }
        finally
        {
            LinuxNative.close(dirFd);
        }

        if (fd < 0)
        {
            throw Fail(-fd, root, path, relative);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            var status = LinuxNative.FStat(fd);
            if (!status.IsRegularFile)
            {
                throw new UnsafeFileException($"'{path}' is not a regular file: refused");
            }

            // A hard link to a file outside (possible where fs.protected_hardlinks is off) is the same trick as a symlink.
            if (LinuxNative.FStatLinkCount(fd) > 1)
            {
                throw new UnsafeFileException($"'{path}' has more than one name (a hard link): refused");
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The path relative to <paramref name="root"/>, or a refusal when it leaves it.</summary>
    internal static string RelativeBeneath(string root, string path)
    {
        var full = Path.GetFullPath(path, root);
        var relative = Path.GetRelativePath(root, full);
        if (relative == "." || relative == ".." || relative.StartsWith("../", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            throw new UnsafeFileException($"'{path}' is not inside '{root}': refused");
        }

        return relative;
    }

    /// <summary>The pre-openat2 way: each directory with O_NOFOLLOW|O_DIRECTORY, the file with O_NOFOLLOW. Returns fd or -errno.</summary>
    internal static int OpenByWalking(int dirFd, string relative, int flags)
    {
        var parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts.Any(p => p is "." or ".."))
        {
            return -LinuxNative.EXDEV;
        }

        int current = dirFd;
        for (var i = 0; i < parts.Length; i++)
        {
            bool last = i == parts.Length - 1;
            int next = last
                ? LinuxNative.openat(current, parts[i], flags | LinuxNative.O_NOFOLLOW, CreatedFileMode)
                : LinuxNative.openat(current, parts[i], LinuxNative.O_PATH | LinuxNative.O_DIRECTORY | LinuxNative.O_NOFOLLOW | LinuxNative.O_CLOEXEC, 0);
            int errno = next < 0 ? System.Runtime.InteropServices.Marshal.GetLastPInvokeError() : 0;
            if (current != dirFd)
            {
                LinuxNative.close(current);
            }

            if (next < 0)
            {
                return -errno;
            }

            if (last)
            {
                return next;
            }

            current = next;
        }

        return -LinuxNative.ENOENT; // unreachable: parts is not empty
    }

    private static IOException Fail(int errno, string root, string path, string relative) => errno switch
    {
        LinuxNative.ENOENT => new FileNotFoundException($"'{path}' does not exist", path),
        // O_DIRECTORY|O_NOFOLLOW on a link to a directory gives ENOTDIR; O_NOFOLLOW on the last component ELOOP.
        LinuxNative.ELOOP or LinuxNative.ENOTDIR => new UnsafeFileException($"'{relative}' in '{root}' is or passes through a symbolic link (or a non-directory): refused", errno),
        LinuxNative.EXDEV => new UnsafeFileException($"'{path}' leaves '{root}': refused", errno),
        _ => LinuxNative.IOFromErrno(errno, $"open '{path}'"),
    };
}
