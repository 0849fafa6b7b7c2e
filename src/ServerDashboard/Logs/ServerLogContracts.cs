namespace ServerDashboard.Logs;

/// <summary>
/// One line of a server's output as every consumer sees it (hub, REST, UI).
/// <paramref name="Seq"/> increases by one per line per server (monotonic across rotations and dashboard restarts within a
/// buffer's life); marker lines made by the dashboard itself (drops, gaps, throttling) have <paramref name="Source"/> = "dashboard".
/// <paramref name="Timestamp"/>: when the dashboard read the line, Unix milliseconds. <paramref name="Source"/>: "console" for
/// console.log, else the extra log file's relative path.
/// </summary>
public sealed record LogLine(long Seq, string Text, long Timestamp, string Source);

/// <summary>
/// The one seam between log tailing and its consumers: backlog first, then live batches (see STYLE.md).
/// Implemented in Logs/; consumed by the hub, the REST API and the console component.
/// </summary>
public interface IServerLogs
{
    /// <summary>
    /// The backlog (the last lines in the ring buffer, or every line after <paramref name="afterSeq"/> still buffered, with an
    /// explicit gap marker if some are gone), then live batches until <paramref name="cancellationToken"/> fires. A slow
    /// subscriber loses its oldest lines and then gets one marker line saying how many; it never blocks the producer.
    /// </summary>
    IAsyncEnumerable<IReadOnlyList<LogLine>> SubscribeAsync(int serverId, long? afterSeq, CancellationToken cancellationToken);

    /// <summary>The last <paramref name="lines"/> buffered lines (REST <c>?lines=N</c>).</summary>
    IReadOnlyList<LogLine> Tail(int serverId, int lines);

    /// <summary>Buffered lines after <paramref name="afterSeq"/>, at most <paramref name="max"/> (REST <c>?afterSeq=S</c>).</summary>
    IReadOnlyList<LogLine> After(int serverId, long afterSeq, int max);
}
