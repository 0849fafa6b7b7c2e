using System.Text;
using ServerDashboard.Logs;

namespace ServerDashboard.Servers.Crashes;

/// <summary>
/// The last lines a server printed to its console: read from the end of console.log (never through a symbolic link, see
/// <see cref="LaunchPlanner.OpenConsoleLog"/>), which also holds lines the tailer has not read yet when the process dies;
/// when the file cannot be read, the lines the log buffer holds.
/// </summary>
public sealed class ConsoleTail(LaunchPlanner planner, IServerLogs logs, ILogger<ConsoleTail> logger)
{
    /// <summary>Bytes read back from the end of the file: enough for the usual N lines, bounded for huge ones.</summary>
    internal const int MaxBytes = 256 * 1024;

    /// <summary>A stored line is cut here: a crash record is a summary, the full log is on disk.</summary>
    internal const int MaxLineChars = 2_000;

    public IReadOnlyList<string> LastLines(int serverId, int count)
    {
        if (count <= 0)
        {
            return [];
        }

        try
        {
            using var stream = planner.OpenConsoleLog(serverId);
            return LastLines(stream, count);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogDebug(ex, "console.log of server {ServerId} not readable; using the log buffer", serverId);
            return logs.Tail(serverId, count * 4)
                .Where(l => l.Source == LogMarkers.ConsoleSource)
                .TakeLast(count)
                .Select(l => Cut(l.Text))
                .ToList();
        }
    }

    /// <summary>The last <paramref name="count"/> complete or trailing lines of <paramref name="stream"/>.</summary>
    internal static IReadOnlyList<string> LastLines(Stream stream, int count)
    {
        var length = stream.Length;
        var start = Math.Max(0, length - MaxBytes);
        stream.Seek(start, SeekOrigin.Begin);
        var buffer = new byte[length - start];
        stream.ReadExactly(buffer);
        var text = Encoding.UTF8.GetString(buffer);
        var lines = text.Split('\n');
        // Started mid-file: the first piece is the tail of a longer line, not a line.
        var first = start > 0 ? 1 : 0;
        // A final newline leaves an empty last piece, which is not a line.
        var end = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        var from = Math.Max(first, end - count);
        var result = new List<string>(Math.Max(0, end - from));
        for (var i = from; i < end; i++)
        {
            result.Add(Cut(lines[i].TrimEnd('\r')));
        }

        return result;
    }

    private static string Cut(string line) => line.Length <= MaxLineChars ? line : line[..MaxLineChars] + "…";
}
