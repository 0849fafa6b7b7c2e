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

    /// <summary>Drops a deleted server's buffer and ends its subscriptions.</summary>
    public void Forget(int serverId)
    {
        if (buffers.TryRemove(serverId, out var buffer))
        {
            buffer.Complete();
        }
    }

    public IReadOnlyList<LogLine> Tail(int serverId, int lines) =>
        buffers.TryGetValue(serverId, out var buffer) ? buffer.Tail(lines) : [];

    public IReadOnlyList<LogLine> After(int serverId, long afterSeq, int max) =>
        buffers.TryGetValue(serverId, out var buffer) ? buffer.After(afterSeq, max) : [];

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
