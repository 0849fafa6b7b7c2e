using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace ServerDashboard.Logs;

/// <summary>
/// One subscriber's queue: bounded, and when full the oldest line goes (the producer never waits). Lines of a server
/// have consecutive Seqs, so a jump between two delivered lines is exactly the number dropped: one
/// <see cref="LogMarkers.Dropped"/> line is inserted there. Bounded in lines and in bytes (text as UTF-16 in memory): a few
/// thousand 16 KiB lines must not cost a slow reader's dashboard hundreds of megabytes.
/// </summary>
internal sealed class LogSubscriber
{
    public static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(50);

    private const int MaxBatchLines = 5_000;

    /// <summary>Batches sent at once per <see cref="BatchInterval"/>: 200/s at most, and a 100 lines/s trickle is never held back.</summary>
    private const int BatchesPerInterval = 10;

    private readonly Channel<LogLine> queue;
    private readonly long maxBytes;
    private long queuedBytes;
    private readonly Action<long>? onDropped;
    private long expectedSeq;

    /// <param name="onDropped">Told how many lines were lost each time a gap is found (metrics).</param>
    public LogSubscriber(int capacity, long maxBytes = long.MaxValue, Action<long>? onDropped = null)
    {
        this.onDropped = onDropped;
        this.maxBytes = Math.Max(1, maxBytes);
        // Not SingleReader: Offer takes the oldest line out itself when the byte budget is spent.
        queue = Channel.CreateBounded<LogLine>(
            new BoundedChannelOptions(Math.Max(1, capacity)) { FullMode = BoundedChannelFullMode.DropOldest },
            dropped => Interlocked.Add(ref queuedBytes, -SizeOf(dropped)));
    }

    /// <summary>Bytes of text queued now (for tests).</summary>
    public long QueuedBytes => Interlocked.Read(ref queuedBytes);

    private static long SizeOf(LogLine line) => 2L * line.Text.Length;

    /// <summary>Called under the buffer's lock at registration: the first live line will have this Seq.</summary>
    public void ExpectNext(long seq) => expectedSeq = seq;

    /// <summary>Called under the buffer's lock: never blocks.</summary>
    public void Offer(IReadOnlyList<LogLine> lines)
    {
        foreach (var line in lines)
        {
            while (Interlocked.Read(ref queuedBytes) + SizeOf(line) > maxBytes && queue.Reader.TryRead(out var oldest))
            {
                Interlocked.Add(ref queuedBytes, -SizeOf(oldest)); // the Seq gap becomes a Dropped marker
            }

            Interlocked.Add(ref queuedBytes, SizeOf(line));
            if (!queue.Writer.TryWrite(line))
            {
                Interlocked.Add(ref queuedBytes, -SizeOf(line)); // completed
            }
        }
    }

    public void Complete() => queue.Writer.TryComplete();

    public async IAsyncEnumerable<IReadOnlyList<LogLine>> ReadBatchesAsync(TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var batch in queue.Reader.GetBatchesAsync(BatchInterval, MaxBatchLines, time, cancellationToken, BatchesPerInterval))
        {
            Interlocked.Add(ref queuedBytes, -batch.Sum(SizeOf));
            yield return WithDropMarkers(batch, time);
        }
    }

    private List<LogLine> WithDropMarkers(IReadOnlyList<LogLine> batch, TimeProvider time)
    {
        var delivered = new List<LogLine>(batch.Count + 1);
        foreach (var line in batch)
        {
            if (line.Seq > expectedSeq)
            {
                delivered.Add(LogMarkers.Dropped(line.Seq - expectedSeq, line.Seq - 1, time.GetUtcNow().ToUnixTimeMilliseconds()));
                onDropped?.Invoke(line.Seq - expectedSeq);
            }

            delivered.Add(line);
            expectedSeq = line.Seq + 1;
        }

        return delivered;
    }
}
