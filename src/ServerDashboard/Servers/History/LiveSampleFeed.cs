using System.Collections.Concurrent;
using ServerDashboard.Servers.Monitoring;

namespace ServerDashboard.Servers.History;

/// <summary>
/// The last <see cref="Window"/> of every server's samples in memory, and who wants each new one: the Resources tab's
/// live charts draw from here (no database round trip per tick) and re-render only themselves on a new point.
/// </summary>
public sealed class LiveSampleFeed(ILogger<LiveSampleFeed> logger)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<int, Queue<MetricPoint>> recent = new();
    private readonly Lock sync = new();
    private Action<int, MetricPoint>[] subscribers = [];

    /// <summary>Points of the last <see cref="Window"/>, oldest first.</summary>
    public IReadOnlyList<MetricPoint> Recent(int serverId)
    {
        if (!recent.TryGetValue(serverId, out var queue))
        {
            return [];
        }

        lock (queue)
        {
            return queue.ToArray();
        }
    }

    /// <summary>Called with (server id, point) for every new point; keep it short (it runs on the monitoring loop).</summary>
    public IDisposable Subscribe(Action<int, MetricPoint> onSample)
    {
        lock (sync)
        {
            subscribers = [.. subscribers, onSample];
        }

        return new Subscription(this, onSample);
    }

    public void Publish(MonitoringTick tick)
    {
        var listeners = Volatile.Read(ref subscribers);
        foreach (var sample in tick.Servers)
        {
            if (!sample.Alive)
            {
                continue;
            }

            var point = new MetricPoint(tick.At, sample.CpuPercent, sample.MemoryBytes, sample.OpenFiles, sample.Threads);
            var queue = recent.GetOrAdd(sample.ServerId, _ => new Queue<MetricPoint>());
            lock (queue)
            {
                queue.Enqueue(point);
                while (queue.Count > 0 && queue.Peek().At < tick.At - Window)
                {
                    queue.Dequeue();
                }
            }

            foreach (var listener in listeners)
            {
                try
                {
                    listener(sample.ServerId, point);
                }
                catch (Exception ex)
                {
                    logger.LogError(ex, "A live sample subscriber failed");
                }
            }
        }
    }

    private void Unsubscribe(Action<int, MetricPoint> onSample)
    {
        lock (sync)
        {
            subscribers = subscribers.Where(s => s != onSample).ToArray();
        }
    }

    private sealed class Subscription(LiveSampleFeed feed, Action<int, MetricPoint> onSample) : IDisposable
    {
        public void Dispose() => feed.Unsubscribe(onSample);
    }
}
