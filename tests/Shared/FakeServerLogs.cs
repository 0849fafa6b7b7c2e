using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ServerDashboard.Logs;

namespace ServerDashboard.Testing;

/// <summary>
/// An <see cref="IServerLogs"/> driven by the test: lines are pushed in, every subscription is recorded (server, afterSeq),
/// and active streams can be broken to exercise resume. Same contract as the real one: backlog first (all lines, or those
/// after afterSeq), then live batches until cancelled. Shared by the hub tests and the browser tests.
/// </summary>
public sealed class FakeServerLogs : IServerLogs
{
    private readonly Lock gate = new();
    private readonly Dictionary<int, List<LogLine>> history = [];
    private readonly List<Subscriber> subscribers = [];
    private readonly List<(int ServerId, long? AfterSeq)> subscriptions = [];

    /// <summary>Every SubscribeAsync call so far, in order.</summary>
    public IReadOnlyList<(int ServerId, long? AfterSeq)> Subscriptions
    {
        get { lock (gate) return subscriptions.ToList(); }
    }

    /// <summary>Streams currently open for <paramref name="serverId"/> (the hub passes its cancellation through).</summary>
    public int ActiveSubscribers(int serverId)
    {
        lock (gate) return subscribers.Count(s => s.ServerId == serverId);
    }

    /// <summary>Appends lines with the next sequence numbers and sends them, as one batch, to every live subscriber.</summary>
    public IReadOnlyList<LogLine> Push(int serverId, params string[] texts) => PushFrom(serverId, "console", texts);

    /// <summary>Like <see cref="Push(int, string[])"/> for another source: an extra log file, or "dashboard" for marker lines.</summary>
    public IReadOnlyList<LogLine> PushFrom(int serverId, string source, params string[] texts)
    {
        lock (gate)
        {
            var lines = Lines(serverId);
            var batch = texts.Select((text, i) => new LogLine(lines.Count + i + 1, text, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), source)).ToList();
            lines.AddRange(batch);
            foreach (var subscriber in subscribers.Where(s => s.ServerId == serverId))
            {
                subscriber.Channel.Writer.TryWrite(batch);
            }

            return batch;
        }
    }

    /// <summary>Breaks every open stream of <paramref name="serverId"/> with an error, as a failing tailer would.</summary>
    public void FailActiveStreams(int serverId)
    {
        lock (gate)
        {
            foreach (var subscriber in subscribers.Where(s => s.ServerId == serverId).ToList())
            {
                subscriber.Channel.Writer.TryComplete(new IOException("The fake log stream was broken by the test."));
                subscribers.Remove(subscriber);
            }
        }
    }

    public async IAsyncEnumerable<IReadOnlyList<LogLine>> SubscribeAsync(
        int serverId, long? afterSeq, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var subscriber = new Subscriber(serverId, Channel.CreateUnbounded<IReadOnlyList<LogLine>>());
        List<LogLine> backlog;
        lock (gate)
        {
            // Snapshot and registration under one lock: nothing pushed in between is missed or doubled.
            subscriptions.Add((serverId, afterSeq));
            backlog = Lines(serverId).Where(l => afterSeq is null || l.Seq > afterSeq).ToList();
            subscribers.Add(subscriber);
        }

        try
        {
            if (backlog.Count > 0)
            {
                yield return backlog;
            }

            await foreach (var batch in subscriber.Channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return batch;
            }
        }
        finally
        {
            lock (gate)
            {
                subscribers.Remove(subscriber);
            }
        }
    }

    public IReadOnlyList<LogLine> Tail(int serverId, int lines)
    {
        lock (gate) return Lines(serverId).TakeLast(lines).ToList();
    }

    public IReadOnlyList<LogLine> After(int serverId, long afterSeq, int max)
    {
        lock (gate) return Lines(serverId).Where(l => l.Seq > afterSeq).Take(max).ToList();
    }

    private List<LogLine> Lines(int serverId) =>
        history.TryGetValue(serverId, out var lines) ? lines : history[serverId] = [];

    private sealed record Subscriber(int ServerId, Channel<IReadOnlyList<LogLine>> Channel);
}
