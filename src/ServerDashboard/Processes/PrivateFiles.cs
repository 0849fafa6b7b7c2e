using ServerDashboard.Processes.Native;

namespace ServerDashboard.Processes;

/// <summary>
/// Makes the dashboard's own files private: directories 0700, files 0600. Existing ones created with wider modes (an older
/// version, SQLite's and Serilog's 0644 defaults) are narrowed at start. A symlink is left alone (never chmod through one).
/// </summary>
public static class PrivateFiles
{
    public static void RestrictDirectory(string path) => Restrict(path, directory: true, LinuxNative.Mode0700);

    public static void RestrictFile(string path) => Restrict(path, directory: false, LinuxNative.Mode0600);

    /// <summary>The permission bits of <paramref name="path"/> (not following a link), or null when it does not exist.</summary>
    public static int? ModeOf(string path, bool directory = false) =>
        LinuxNative.TryStatNoFollow(path, directory) is { } status ? status.Permissions : null;

    /// <summary>
    /// What statx says of <paramref name="path"/> itself (the file is not opened), or null when it is missing or a symbolic
    /// link (never followed): lets callers refuse files of the wrong owner or kind before reading them.
    /// </summary>
    public static FileFacts? Inspect(string path) =>
        LinuxNative.TryStatNoFollow(path) is { } status
            ? new FileFacts(status.Uid, status.Permissions, status.IsRegularFile, status.Size)
            : null;

    /// <summary>The dashboard's effective user id: the owner its private files must have.</summary>
    public static uint EffectiveUserId => LinuxNative.geteuid();

    private static void Restrict(string path, bool directory, uint mode)
    {
        if (LinuxNative.TryStatNoFollow(path, directory) is { } status && status.Permissions != mode)
        {
            LinuxNative.Chmod(path, mode);
        }
    }
}

/// <summary>A file's owner, permission bits, kind and size, as lstat(2) reports them.</summary>
public sealed record FileFacts(uint Uid, int Permissions, bool IsRegularFile, long Size);
