namespace ServerDashboard.Logs;

/// <summary>
/// Lines the dashboard itself adds to a stream (Source "dashboard"). Their Seq is chosen so that a client which keeps
/// "the last Seq I saw" and resumes with <c>afterSeq</c> never gets a line twice: a marker takes the Seq of the last
/// line it stands for (gap: the line before the oldest still buffered; drop: the last dropped line).
/// </summary>
public static class LogMarkers
{
    public const string Source = "dashboard";

    public const string ConsoleSource = "console";

    /// <summary>A resume point older than the buffer: <paramref name="missing"/> lines before <paramref name="oldestSeq"/> are gone.</summary>
    public static LogLine Gap(long missing, long oldestSeq, long timestamp) =>
        new(oldestSeq - 1, $"[dashboard] {missing} lines are no longer in the buffer", timestamp, Source);

    /// <summary>The client's last Seq is from before the dashboard restarted: the lines in between are not in this stream.</summary>
    public static LogLine Restarted(long seq, long timestamp) =>
        new(seq, "[dashboard] The dashboard restarted: lines written meanwhile are in the log file (Download), not in this view", timestamp, Source);

    /// <summary>A slow subscriber lost <paramref name="dropped"/> lines, the last of them <paramref name="lastDroppedSeq"/>.</summary>
    public static LogLine Dropped(long dropped, long lastDroppedSeq, long timestamp) =>
        new(lastDroppedSeq, $"[dashboard] {dropped} lines dropped", timestamp, Source);

    /// <summary>
    /// A throttled subscription skipped <paramref name="skipped"/> lines, the last of them <paramref name="lastSkippedSeq"/>
    /// (the server's <c>browserLinesPerSecond</c>); the file on disk and REST still have them.
    /// </summary>
    public static LogLine Throttled(int linesPerSecond, long skipped, long lastSkippedSeq, long timestamp) =>
        new(lastSkippedSeq, $"[dashboard] throttled: showing at most {linesPerSecond} lines/s, {skipped} lines skipped (the log file is complete)", timestamp, Source);

    /// <summary>The text of the line added when a log file is refused (a symbolic link, not a regular file): it is not followed.</summary>
    public static string Refused(string source, string reason) =>
        $"[dashboard] not following {source}: {reason}";
}
