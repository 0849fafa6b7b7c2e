using System.Runtime.CompilerServices;

namespace ServerDashboard.Logs;

public static class ThrottledLogStream
{
    /// <summary>
    /// <paramref name="batches"/> through <paramref name="throttle"/>. Waits for the next batch or, during an episode, for
    /// the moment its marker is due, whichever comes first: a flood that simply stops still gets its marker.
    /// </summary>
    public static async IAsyncEnumerable<IReadOnlyList<LogLine>> ThrottleAsync(
        this IAsyncEnumerable<IReadOnlyList<LogLine>> batches,
        LogThrottle throttle,
        TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Our own token for the source: an async iterator must not be disposed while a MoveNextAsync is in flight, so on
        // the way out the pending one is cancelled and awaited first.
        using var stopSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var source = batches.GetAsyncEnumerator(stopSource.Token);
        Task<bool>? next = null;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // One MoveNextAsync at a time: a pending one survives a marker timeout and is awaited on the next round.
                next ??= source.MoveNextAsync().AsTask();
                if (throttle.MarkerDueIn is { } due && await WaitForBatchAsync(next, due, time, cancellationToken) is false)
                {
                    if (throttle.TakeDueMarker() is { } marker)
                    {
                        yield return [marker];
                    }

                    continue;
                }

                var hasBatch = await next;
                next = null;
                if (!hasBatch)
                {
                    yield break;
                }

                var delivered = throttle.Filter(source.Current);
                if (delivered.Count > 0)
                {
                    yield return delivered;
                }
            }
        }
        finally
        {
            await stopSource.CancelAsync();
            if (next is not null)
            {
                await next.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }

            await source.DisposeAsync();
        }
    }

    /// <returns>True when <paramref name="next"/> finished first, false when <paramref name="due"/> passed.</returns>
    private static async Task<bool> WaitForBatchAsync(Task<bool> next, TimeSpan due, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(due, time, timeout.Token);
        var first = await Task.WhenAny(next, delay);
        await timeout.CancelAsync();
        return first == next;
    }
}
