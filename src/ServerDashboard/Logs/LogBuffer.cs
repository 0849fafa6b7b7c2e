namespace ServerDashboard.Logs;

/// <summary>
/// One server's recent lines: a ring of <see cref="Capacity"/> lines, each with a Seq one higher than the one before.
/// Appending also hands the new lines to every live subscriber under the same lock, so a subscriber registered together
/// with its backlog snapshot sees each line exactly once.
/// The first Seq is the buffer's creation time in Unix milliseconds × 1000 + 1 (below 2^53, so exact in JavaScript): a
/// buffer made after a dashboard restart numbers above anything the previous one handed out, and a client resuming
/// with an old Seq gets a "restarted" marker and the backlog instead of silence.
/// The ring starts small and doubles as lines arrive, up to <see cref="Capacity"/>: a server that prints little costs
/// little (a full 10,000-line ring of references is 80 KB per server before a single line arrives).
/// </summary>
public sealed class LogBuffer
{
    private const int InitialRingLines = 64;

    private readonly int capacity;
    private LogLine[] ring;
    private readonly Lock sync = new();
    private readonly TimeProvider time;
    private readonly long firstSeq;
    private LogSubscriber[] subscribers = [];
    private long newestSeq;
    private long lastReadTimestamp = long.MinValue;

    public LogBuffer(int capacity, TimeProvider time)
    {
        this.capacity = Math.Max(1, capacity);
        ring = new LogLine[Math.Min(this.capacity, InitialRingLines)];
        this.time = time;
        firstSeq = time.GetUtcNow().ToUnixTimeMilliseconds() * 1000 + 1;
        newestSeq = firstSeq - 1;
    }

    public int Capacity => capacity;

    /// <summary>Seq of the newest line; one below the first Seq when empty.</summary>
    public long NewestSeq
    {
        get
        {
            lock (sync)
            {
                return newestSeq;
            }
        }
    }

    // While the ring is smaller than the capacity it has never wrapped (it grows first), so ring.Length is right either way.
    private long OldestSeq => Math.Max(firstSeq, newestSeq - ring.Length + 1);

    /// <summary>Adds lines from <paramref name="source"/>, numbers and timestamps them, and offers them to subscribers.</summary>
    public IReadOnlyList<LogLine> Append(string source, IReadOnlyList<string> texts)
    {
        var timestamp = time.GetUtcNow().ToUnixTimeMilliseconds();
        var added = new LogLine[texts.Count];
        lock (sync)
        {
            EnsureRoom(texts.Count);
            for (var i = 0; i < texts.Count; i++)
            {
                var line = new LogLine(++newestSeq, texts[i], timestamp, source);
                ring[Index(line.Seq)] = line;
                added[i] = line;
            }

            foreach (var subscriber in subscribers)
            {
                subscriber.Offer(added);
            }
        }

        return added;
    }

    /// <summary>
    /// Someone reads this buffer live: a subscriber is attached, or <see cref="Tail"/> / <see cref="After"/> was called within
    /// <paramref name="recentRead"/> (a script polling the REST API). Lock-free: asked on the inotify thread for every change.
    /// </summary>
    public bool IsWatched(TimeSpan recentRead) =>
        Volatile.Read(ref subscribers).Length > 0
        || (Volatile.Read(ref lastReadTimestamp) is var read and not long.MinValue && time.GetElapsedTime(read) < recentRead);

    public IReadOnlyList<LogLine> Tail(int lines)
    {
        Volatile.Write(ref lastReadTimestamp, time.GetTimestamp());
        lock (sync)
        {
            return Range(Math.Max(OldestSeq, newestSeq - Math.Max(0, lines) + 1), newestSeq);
        }
    }

    public IReadOnlyList<LogLine> After(long afterSeq, int max)
    {
        Volatile.Write(ref lastReadTimestamp, time.GetTimestamp());
        lock (sync)
        {
            var from = Math.Max(OldestSeq, afterSeq + 1);
            return Range(from, Math.Min(newestSeq, from + Math.Max(0, max) - 1));
        }
    }

    /// <summary>
    /// Registers <paramref name="subscriber"/> and returns its backlog, atomically with respect to appends: without
    /// <paramref name="afterSeq"/> the last <paramref name="backlogLines"/>; with it every buffered line after it, preceded
    /// by a gap marker when some of those are no longer buffered; nothing when it is at or past the newest line.
    /// </summary>
    internal IReadOnlyList<LogLine> Subscribe(LogSubscriber subscriber, long? afterSeq, int backlogLines)
    {
        lock (sync)
        {
            subscribers = [.. subscribers, subscriber];
            subscriber.ExpectNext(newestSeq + 1);
            if (afterSeq is not { } after)
            {
                return Range(Math.Max(OldestSeq, newestSeq - backlogLines + 1), newestSeq);
            }

            if (after >= newestSeq)
            {
                return [];
            }

            if (after < firstSeq - 1)
            {
                // A Seq from before this buffer existed (the dashboard restarted): say so, then the usual backlog.
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                return [LogMarkers.Restarted(firstSeq - 1, now), .. Range(Math.Max(OldestSeq, newestSeq - backlogLines + 1), newestSeq)];
            }

            var oldest = OldestSeq;
            if (after + 1 >= oldest)
            {
                return Range(after + 1, newestSeq);
            }

            var missing = oldest - Math.Max(0, after) - 1;
            return [LogMarkers.Gap(missing, oldest, time.GetUtcNow().ToUnixTimeMilliseconds()), .. Range(oldest, newestSeq)];
        }
    }

    /// <summary>
    /// What a live view reads: the backlog after <paramref name="afterSeq"/> (in batches of at most
    /// <see cref="StreamBatchLines"/>), then every new line, exactly once, until the caller stops enumerating.
    /// </summary>
    internal async IAsyncEnumerable<IReadOnlyList<LogLine>> StreamAsync(LogSubscriber subscriber, long? afterSeq, int backlogLines,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var backlog = Subscribe(subscriber, afterSeq, backlogLines);
        // Watched from here on: lines held back while nobody watched (LogOptions.UnwatchedDelayMilliseconds) are read now.
        SharedInotify.WakeDeferred();
        try
        {
            foreach (var chunk in backlog.Chunk(StreamBatchLines))
            {
                yield return chunk;
            }

            await foreach (var batch in subscriber.ReadBatchesAsync(time, cancellationToken))
            {
                yield return batch;
            }
        }
        finally
        {
            Unsubscribe(subscriber);
        }
    }

    /// <summary>Backlog lines per batch handed to a new subscriber (one hub message each).</summary>
    internal const int StreamBatchLines = 1_000;

    internal void Unsubscribe(LogSubscriber subscriber)
    {
        lock (sync)
        {
            subscribers = subscribers.Where(s => s != subscriber).ToArray();
        }
    }

    /// <summary>Ends every subscription (the server was deleted).</summary>
    internal void Complete()
    {
        lock (sync)
        {
            foreach (var subscriber in subscribers)
            {
                subscriber.Complete();
            }

            subscribers = [];
        }
    }

    private List<LogLine> Range(long from, long to)
    {
        var lines = new List<LogLine>((int)Math.Max(0, to - from + 1));
        for (var seq = from; seq <= to; seq++)
        {
            lines.Add(ring[Index(seq)]);
        }

        return lines;
    }

    private int Index(long seq) => (int)((seq - 1) % ring.Length);

    /// <summary>Grows the ring (doubling, up to the capacity) so <paramref name="adding"/> more lines overwrite none it holds.</summary>
    private void EnsureRoom(int adding)
    {
        var held = newestSeq - firstSeq + 1;
        if (ring.Length == capacity || held + adding <= ring.Length)
        {
            return;
        }

        var size = ring.Length;
        while (size < capacity && size < held + adding)
        {
            size = (int)Math.Min(capacity, size * 2L);
        }

        var old = ring;
        var oldLength = old.Length;
        ring = new LogLine[size];
        for (var seq = firstSeq; seq <= newestSeq; seq++)
        {
            ring[Index(seq)] = old[(int)((seq - 1) % oldLength)];
        }
    }
}
