namespace ServerDashboard.Logs;

/// <summary>
/// One subscription's token bucket (a server's optional <c>browserLinesPerSecond</c>): the bucket holds one second of
/// lines and refills at the rate. A live line without a token is skipped for this subscriber only and a throttling
/// <i>episode</i> begins; it ends when the bucket is full again (one quiet second), and only then is ONE
/// <see cref="LogMarkers.Throttled"/> line emitted with the episode's count. Ending at "full" rather than at "one token"
/// is the point: under a steady flood the reader sees N lines, one marker, N lines… — not a marker every batch.
/// Lines at or below <paramref name="backlogUpToSeq"/> (the backlog the reader asked for) and dashboard markers are never
/// skipped: the backlog is bounded already, and markers explain what is missing.
/// </summary>
public sealed class LogThrottle(int linesPerSecond, long backlogUpToSeq, TimeProvider time)
{
    private readonly double capacity = Math.Max(1, linesPerSecond);
    private double tokens = Math.Max(1, linesPerSecond);
    private long refilledAt = time.GetTimestamp();
    private long skipped;
    private long lastSkippedSeq;

    public int LinesPerSecond => linesPerSecond;

    /// <summary>How long until a pending marker is due (the bucket is full again); null when not throttling.</summary>
    public TimeSpan? MarkerDueIn
    {
        get
        {
            if (skipped == 0)
            {
                return null;
            }

            Refill();
            return TimeSpan.FromSeconds(Math.Max(0, capacity - tokens) / capacity);
        }
    }

    /// <summary>The lines of <paramref name="batch"/> this subscriber gets, with an episode's marker where it ended.</summary>
    public IReadOnlyList<LogLine> Filter(IReadOnlyList<LogLine> batch)
    {
        Refill();
        var delivered = new List<LogLine>(Math.Min(batch.Count + 1, (int)capacity + 2));
        foreach (var line in batch)
        {
            if (line.Seq <= backlogUpToSeq || line.Source == LogMarkers.Source)
            {
                delivered.Add(line);
                continue;
            }

            if (skipped > 0 && tokens >= capacity)
            {
                delivered.Add(EndEpisode());
            }

            if (skipped == 0 && tokens >= 1)
            {
                tokens--;
                delivered.Add(line);
            }
            else
            {
                skipped++;
                lastSkippedSeq = line.Seq;
            }
        }

        return delivered;
    }

    /// <summary>The pending marker if its episode is over (the flood stopped: no next line would carry it out).</summary>
    public LogLine? TakeDueMarker()
    {
        Refill();
        return skipped > 0 && tokens >= capacity ? EndEpisode() : null;
    }

    private LogLine EndEpisode()
    {
        var marker = LogMarkers.Throttled(linesPerSecond, skipped, lastSkippedSeq, time.GetUtcNow().ToUnixTimeMilliseconds());
        skipped = 0;
        return marker;
    }

    private void Refill()
    {
        var now = time.GetTimestamp();
        tokens = Math.Min(capacity, tokens + (time.GetElapsedTime(refilledAt, now).TotalSeconds * capacity));
        refilledAt = now;
    }
}
