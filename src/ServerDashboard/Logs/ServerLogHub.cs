using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace ServerDashboard.Logs;

/// <summary>
/// Every server's <see cref="LogBuffer"/>, fed by the tailers, read by <see cref="IServerLogs"/> consumers: backlog
/// first, then live batches per subscriber through a bounded drop-oldest queue.
/// </summary>
public sealed class ServerLogHub(IOptions<LogOptions> options, TimeProvider time, LogMetrics? metrics = null) : IServerLogs
{

    private readonly ConcurrentDictionary<int, LogBuffer> buffers = new();
    private readonly ConcurrentDictionary<int, Func<Task>> catchUps = new();

    /// <summary>How long a dashboard line waits at most for the server's files to be read (a stuck disk must not hold it).</summary>
    internal static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(2);
    private readonly LogOptions settings = options.Value;

    /// <summary>Adds lines read from <paramref name="source"/> ("console" or an extra log file's relative path).</summary>
    public IReadOnlyList<LogLine> Append(int serverId, string source, IReadOnlyList<string> texts)
    {
        if (source != LogMarkers.Source)
        {
            metrics?.LinesRead(serverId, texts.Count); // the server's own output, not the dashboard's markers
        }

        return BufferFor(serverId).Append(source, texts);
    }

    /// <summary>How the server's followed files are read up to now (set by the tailing service for each followed server).</summary>
    internal void SetCatchUp(int serverId, Func<Task> catchUp) => catchUps[serverId] = catchUp;

    /// <summary>
    /// Waits (up to <see cref="CatchUpTimeout"/>) until the server's followed files have been read up to now, so a line the
    /// dashboard adds next comes after every line the server had written (its changes may be held back while nobody
    /// watches: <see cref="LogOptions.UnwatchedDelayMilliseconds"/>).
    /// </summary>
    public async Task CatchUpAsync(int serverId, CancellationToken cancellationToken = default)
    {
        if (catchUps.TryGetValue(serverId, out var catchUp))
        {
            try
            {
                await catchUp().WaitAsync(CatchUpTimeout, time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // The line goes in anyway: a late read only misplaces it, waiting longer would hold up a power action.
            }
        }
    }

    /// <summary>Drops a deleted server's buffer and ends its subscriptions.</summary>
    public void Forget(int serverId)
    {
        catchUps.TryRemove(serverId, out _);
        if (buffers.TryRemove(serverId, out var buffer))
        {
            buffer.Complete();
        }
    }

    /// <summary>Someone reads the server's lines live (a subscriber, or a recent <see cref="Tail"/> / <see cref="After"/>).</summary>
    public bool IsWatched(int serverId) =>
        buffers.TryGetValue(serverId, out var buffer) && buffer.IsWatched(TimeSpan.FromSeconds(settings.WatchedAfterReadSeconds));

    public IReadOnlyList<LogLine> Tail(int serverId, int lines) =>
        buffers.TryGetValue(serverId, out var buffer) ? Read(buffer, b => b.Tail(lines)) : [];

    public IReadOnlyList<LogLine> After(int serverId, long afterSeq, int max) =>
        buffers.TryGetValue(serverId, out var buffer) ? Read(buffer, b => b.After(afterSeq, max)) : [];

    /// <summary>A read makes the server watched for a while: its held-back lines are read now rather than when due.</summary>
    private IReadOnlyList<LogLine> Read(LogBuffer buffer, Func<LogBuffer, IReadOnlyList<LogLine>> read)
    {
        var wasWatched = buffer.IsWatched(TimeSpan.FromSeconds(settings.WatchedAfterReadSeconds));
        var lines = read(buffer); // records the read: the buffer is watched from here on
        if (!wasWatched)
        {
            SharedInotify.WakeDeferred();
        }

        return lines;
    }

    public async IAsyncEnumerable<IReadOnlyList<LogLine>> SubscribeAsync(int serverId, long? afterSeq, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A subscription may come before the server's first line: the buffer is created here and filled later.
        var buffer = BufferFor(serverId);
        var subscriber = new LogSubscriber(settings.SubscriberQueueLines, settings.SubscriberQueueBytes,
            metrics is null ? null : dropped => metrics.LinesDropped(serverId, dropped));
        await foreach (var batch in buffer.StreamAsync(subscriber, afterSeq, settings.EffectiveBacklog, cancellationToken))
        {
            yield return batch;
        }
    }

    private LogBuffer BufferFor(int serverId) =>
        buffers.GetOrAdd(serverId, static (_, state) => new LogBuffer(state.Settings.BufferLines, state.Time), (Settings: settings, Time: time));
}
