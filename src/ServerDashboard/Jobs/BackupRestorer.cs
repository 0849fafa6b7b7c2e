using System.Globalization;

namespace ServerDashboard.Jobs;

/// <summary>
/// Puts an archive back into a server's directory, run by the restore job (<c>backup restore</c>). Nothing is
/// overwritten or deleted: the archive is extracted into a fresh staging directory beside the target (made by us, so the
/// game cannot plant links in it), then what it replaces is moved aside to <c>&lt;dir&gt;.before-restore-&lt;time&gt;</c>
/// and the restored copy renamed into place. A whole-directory archive replaces the directory; a partial one (a
/// definition's backup paths) only the paths it holds. A failure or a cancel moves everything back.
/// </summary>
public static class BackupRestorer
{
    /// <returns>The directory holding what the restore replaced, or null when nothing was there.</returns>
    public static async Task<string?> RestoreAsync(string archivePath, string target, DateTimeOffset now, Action<long, long> progress,
        Action<string> say, CancellationToken cancellationToken)
    {
        target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        var stamp = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var staging = $"{target}.restoring-{stamp}";
        var aside = $"{target}.before-restore-{stamp}";
        var paths = await BackupArchive.ReadPathsAsync(archivePath, cancellationToken);
        say(paths.Count == 0 ? "whole-directory backup: the directory is replaced" : $"partial backup: restoring {string.Join(", ", paths)}");
        var moves = new List<(string From, string To)>(); // done so far, undone in reverse on failure
        try
        {
            await BackupArchive.ExtractAsync(archivePath, staging, cancellationToken, progress);
            cancellationToken.ThrowIfCancellationRequested();
            if (paths.Count == 0)
            {
                var mode = Directory.Exists(target) ? File.GetUnixFileMode(target) : (UnixFileMode?)null;
                if (Directory.Exists(target))
                {
                    Move(target, aside, moves);
                }

                Move(staging, target, moves);
                if (mode is { } m)
                {
                    File.SetUnixFileMode(target, m); // the staging directory was made 0700
                }
            }
            else
            {
                foreach (var relative in paths)
                {
                    RestorePath(relative, staging, target, aside, moves, say);
                }

                Directory.Delete(staging, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or OperationCanceledException)
        {
            say($"restore failed ({ex.Message}): putting the previous files back");
            for (var i = moves.Count - 1; i >= 0; i--)
            {
                var (from, to) = moves[i];
                if (Directory.Exists(from) || File.Exists(from))
                {
                    // Something sits where the original goes back (should not happen): keep it beside, delete nothing.
                    MoveAny(from, $"{from}.failed-restore-{stamp}");
                }

                MoveAny(to, from);
            }

            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            throw;
        }

        return Directory.Exists(aside) ? aside : null;
    }

    private static void RestorePath(string relative, string staging, string target, string aside, List<(string, string)> moves, Action<string> say)
    {
        var parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts.Any(p => p is ".." or "."))
        {
            throw new InvalidDataException($"the archive names an invalid path '{relative}'");
        }

        var source = Path.Combine([staging, .. parts]);
        if (!Directory.Exists(source) && !File.Exists(source) && new FileInfo(source).LinkTarget is null)
        {
            say($"'{relative}' is not in the archive (it was skipped or missing when the backup ran): left as it is");
            return;
        }

        // Every directory on the way must be a real directory inside the target: never move anything through a link the
        // game planted (Directory.CreateDirectory and Move would follow it).
        var parent = target;
        foreach (var part in parts[..^1])
        {
            parent = Path.Combine(parent, part);
            var info = new DirectoryInfo(parent);
            if (info.LinkTarget is not null || File.Exists(parent))
            {
                throw new IOException($"'{Path.GetRelativePath(target, parent)}' in the server's directory is not a plain directory: refusing to restore '{relative}' through it");
            }

            if (!info.Exists)
            {
                Directory.CreateDirectory(parent);
            }
        }

        var destination = Path.Combine([target, .. parts]);
        if (Directory.Exists(destination) || File.Exists(destination) || new FileInfo(destination).LinkTarget is not null)
        {
            var parked = Path.Combine([aside, .. parts]);
            Directory.CreateDirectory(Path.GetDirectoryName(parked)!);
            Move(destination, parked, moves);
        }

        Move(source, destination, moves);
    }

    private static void Move(string from, string to, List<(string, string)> moves)
    {
        MoveAny(from, to);
        moves.Add((from, to));
    }

    /// <summary>A rename of a file, directory or link (never followed): <see cref="File.Move(string, string)"/> renames a link itself.</summary>
    private static void MoveAny(string from, string to)
    {
        if (new FileInfo(from).LinkTarget is null && Directory.Exists(from))
        {
            Directory.Move(from, to);
        }
        else
        {
            File.Move(from, to);
        }
    }
}
