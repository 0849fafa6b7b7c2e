using ServerDashboard.Text;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;
using ServerDashboard.Processes;
using ServerDashboard.Servers;

namespace ServerDashboard.Logs;

/// <summary>What a copytruncate did: bytes copied, and how long the window was in which appended bytes were lost.</summary>
public sealed record CopyTruncateResult(string Destination, long BytesCopied, TimeSpan LossWindow);

/// <summary>
/// The dashboard's own rotation of <c>console.log</c> (the daemon writes it itself, O_APPEND):
/// a new file per start (rename: nothing is lost, the child creates the new file), a size cap while running
/// (copytruncate: the child keeps its fd and continues at the new end), and at most <see cref="LogOptions.KeepFiles"/>
/// old files <c>console.&lt;yyyyMMdd-HHmmss&gt;.log</c> (UTC) per server.
/// </summary>
public sealed partial class ConsoleLogRotator(LaunchPlanner planner, IOptions<LogOptions> options, TimeProvider time, ILogger<ConsoleLogRotator> logger)
{
    private const int CopyChunkBytes = 1024 * 1024;

    /// <summary>Renames a non-empty console.log out of the way before a daemon starts. Returns the new name, or null.</summary>
    public string? RotateForNewStart(int serverId)
    {
        var path = planner.ConsoleLogPath(serverId);
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length == 0)
            {
                return null;
            }

            var destination = NextRotatedPath(path);
            File.Move(path, destination); // rename(2): atomic; a tailer still holding the old inode reads it to its end
            Prune(path);
            return destination;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Housekeeping must never keep a server from starting: the child then appends to the old file.
            logger.LogWarning("Could not rotate {Path} before a start: {Error}", LogText.Escape(path), LogText.Escape(ex.Message));
            return null;
        }
    }

    /// <summary>Copytruncates console.log when it is larger than <see cref="LogOptions.MaxSizeMb"/>. Returns what it did, or null.</summary>
    public CopyTruncateResult? EnforceSizeCap(int serverId)
    {
        var path = planner.ConsoleLogPath(serverId);
        var limit = (long)options.Value.MaxSizeMb * 1024 * 1024;
        try
        {
            // Opened without following links and sized through the handle: a game that swaps console.log for a link must
            // never make root copy or truncate the link's target.
            using var source = SafeFileOpener.Open(Path.GetDirectoryName(path)!, path, SafeOpenMode.ReadWrite);
            if (RandomAccess.GetLength(source) <= limit)
            {
                return null;
            }

            var result = CopyTruncate(source, NextRotatedPath(path));
            Prune(path);
            logger.LogInformation("Rotated {Path} at {Bytes} bytes by copytruncate (loss window {Window} µs)",
                path, result.BytesCopied, (long)result.LossWindow.TotalMicroseconds);
            return result;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not rotate {Path} by size: {Error}", LogText.Escape(path), LogText.Escape(ex.Message));
            return null;
        }
    }

    /// <summary>
    /// Copies <paramref name="path"/> to <paramref name="destination"/> until a read finds nothing new, then truncates it
    /// to 0 at once. Bytes a writer appends between that last read and the truncate are lost: <see cref="CopyTruncateResult.LossWindow"/>.
    /// </summary>
    public static CopyTruncateResult CopyTruncate(string path, string destination)
    {
        using var source = SafeFileOpener.Open(Path.GetDirectoryName(Path.GetFullPath(path))!, path, SafeOpenMode.ReadWrite);
        return CopyTruncate(source, destination);
    }

    private static CopyTruncateResult CopyTruncate(SafeFileHandle source, string destination)
    {
        using var copy = new FileStream(destination, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.Read,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite, // console output may hold secrets
        });
        var buffer = new byte[CopyChunkBytes];
        long offset = 0;
        long lastEmptyRead;
        while (true)
        {
            var read = RandomAccess.Read(source, buffer, offset);
            if (read <= 0)
            {
                lastEmptyRead = Stopwatch.GetTimestamp();
                break;
            }

            copy.Write(buffer, 0, read);
            offset += read;
        }

        Truncate(source);
        var window = Stopwatch.GetElapsedTime(lastEmptyRead);
        copy.Flush();
        return new CopyTruncateResult(destination, offset, window);
    }

    /// <summary>Deletes all but the newest <see cref="LogOptions.KeepFiles"/> rotated files beside <paramref name="consoleLog"/>.</summary>
    public void Prune(string consoleLog)
    {
        var directory = Path.GetDirectoryName(consoleLog)!;
        var rotated = Directory.EnumerateFiles(directory, "console.*.log")
            .Select(file => (File: file, Key: RotatedKey(Path.GetFileName(file))))
            .Where(f => f.Key is not null)
            .OrderByDescending(f => f.Key!.Value.Stamp, StringComparer.Ordinal)
            .ThenByDescending(f => f.Key!.Value.Counter)
            .Skip(Math.Max(0, options.Value.KeepFiles));
        foreach (var (file, _) in rotated)
        {
            try
            {
                File.Delete(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("Could not delete old console log {Path}: {Error}", LogText.Escape(file), LogText.Escape(ex.Message));
            }
        }
    }

    private string NextRotatedPath(string consoleLog)
    {
        var directory = Path.GetDirectoryName(consoleLog)!;
        var stamp = time.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var candidate = Path.Combine(directory, $"console.{stamp}.log");
        for (var counter = 1; File.Exists(candidate); counter++)
        {
            candidate = Path.Combine(directory, $"console.{stamp}-{counter}.log"); // two rotations within one second
        }

        return candidate;
    }

    private static (string Stamp, int Counter)? RotatedKey(string fileName) =>
        RotatedName().Match(fileName) is { Success: true } match
            ? (match.Groups[1].Value, match.Groups[2].Success ? int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) : 0)
            : null;

    private static void Truncate(SafeFileHandle handle) => RandomAccess.SetLength(handle, 0);

    [GeneratedRegex(@"^console\.(\d{8}-\d{6})(?:-(\d+))?\.log$", RegexOptions.CultureInvariant)]
    private static partial Regex RotatedName();
}
