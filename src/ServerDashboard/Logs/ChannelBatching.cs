using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace ServerDashboard.Logs;

public static class ChannelBatching
{
    /// <summary>
    /// Adaptive batches: waits for an item, drains up to <paramref name="maxBatch"/> items into one list and yields it.
    /// Up to <paramref name="batchesPerInterval"/> lists go out at once within one <paramref name="minInterval"/>; after
    /// that the rest of the interval is waited out (more items gather meanwhile). So a trickle (a game server's few, or even
    /// a hundred, lines per second) is delivered the moment it is read, and a flood costs at most
    /// <paramref name="batchesPerInterval"/> lists per interval. (One list per interval for everything made a line written
    /// every 10 ms wait ~25 ms on average: the latency benchmark's finding.)
    /// </summary>
    public static async IAsyncEnumerable<IReadOnlyList<T>> GetBatchesAsync<T>(
        this ChannelReader<T> reader,
        TimeSpan minInterval,
        int maxBatch,
        TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken,
        int batchesPerInterval = 1)
    {
        long? windowStart = null;
        var inWindow = 0;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            if (windowStart is { } start && time.GetElapsedTime(start) is var since && since < minInterval)
            {
                if (inWindow >= batchesPerInterval)
                {
                    await Task.Delay(minInterval - since, time, cancellationToken);
                    windowStart = null;
                }
            }
            else
            {
                windowStart = null;
            }

            var batch = new List<T>();
            while (batch.Count < maxBatch && reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            if (windowStart is null)
            {
                windowStart = time.GetTimestamp();
                inWindow = 0;
            }

            inWindow++;
            if (batch.Count > 0)
            {
                yield return batch;
            }
        }
    }
}
