using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace ServerDashboard.Logs;

public static class ChannelBatching
{
    /// <summary>
    /// Adaptive batches: waits for an item; if the previous batch went out less than <paramref name="minInterval"/> ago,
    /// waits out the rest (more items gather meanwhile); then drains up to <paramref name="maxBatch"/> items into one list.
    /// A trickle is delivered at once, a flood as at most one list per interval.
    /// </summary>
    public static async IAsyncEnumerable<IReadOnlyList<T>> GetBatchesAsync<T>(
        this ChannelReader<T> reader,
        TimeSpan minInterval,
        int maxBatch,
        TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long? lastBatchAt = null;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            if (lastBatchAt is { } last && time.GetElapsedTime(last) is var since && since < minInterval)
            {
                await Task.Delay(minInterval - since, time, cancellationToken);
            }

            var batch = new List<T>();
            while (batch.Count < maxBatch && reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            lastBatchAt = time.GetTimestamp();
            if (batch.Count > 0)
            {
                yield return batch;
            }
        }
    }
}
