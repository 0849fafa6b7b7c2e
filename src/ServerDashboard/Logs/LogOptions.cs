namespace ServerDashboard.Logs;

/// <summary>The "Dashboard:Logs" configuration section.</summary>
public sealed class LogOptions
{
    public const string SectionName = "Dashboard:Logs";

    /// <summary>Lines kept in memory per server (the ring buffer behind backlog, resume and REST).</summary>
    public int BufferLines { get; set; } = 10_000;

    /// <summary>Lines a new subscriber gets first when it does not resume (capped by <see cref="BufferLines"/>).</summary>
    public int BacklogLines { get; set; } = 1_000;

    /// <summary>Lines queued per subscriber before the oldest are dropped (with a marker).</summary>
    public int SubscriberQueueLines { get; set; } = 10_000;

    /// <summary>Bytes of text (UTF-16 in memory) queued per subscriber before the oldest lines are dropped.</summary>
    public long SubscriberQueueBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Rotated console logs (<c>console.&lt;timestamp&gt;.log</c>) kept per server.</summary>
    public int KeepFiles { get; set; } = 5;

    /// <summary>A running server's console.log is rotated by copytruncate when it grows past this.</summary>
    public int MaxSizeMb { get; set; } = 100;

    /// <summary>How often the size cap is checked and deleted servers' tailers are dropped.</summary>
    public int SizeCheckSeconds { get; set; } = 30;

    /// <summary>
    /// How late (milliseconds) new lines of a server nobody reads live may reach its buffer: their file changes are handed
    /// on together, once per interval, instead of at every write. 0 reads every change at once. A server whose console is
    /// open (browser, hub client) or whose lines the REST API served within <see cref="WatchedAfterReadSeconds"/> is read at once.
    /// </summary>
    public int UnwatchedDelayMilliseconds { get; set; } = 1_000;

    /// <summary>A REST read of a server's lines keeps them read at once for this long (a script polling for new lines).</summary>
    public int WatchedAfterReadSeconds { get; set; } = 60;

    internal int EffectiveBacklog => Math.Min(BacklogLines, BufferLines);
}
