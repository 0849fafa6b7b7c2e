using Microsoft.Extensions.Options;
using ServerDashboard.Logs;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Logs;

public sealed class ServerLogHubTests
{
    private const int Server = 7;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_subscriber_gets_the_backlog_first_then_live_lines_in_order()
    {
        var hub = Hub();
        Append(hub, 1, 5);
        using var stop = new CancellationTokenSource(Timeout);
        await using var subscription = hub.SubscribeAsync(Server, null, stop.Token).GetAsyncEnumerator(stop.Token);

        Assert.True(await subscription.MoveNextAsync());
        Assert.Equal(Enumerable.Range(1, 5).Select(n => (long)n), subscription.Current.Select(l => l.Seq));
        Append(hub, 6, 3);
        var live = await ReadUntilAsync(subscription, 8);

        Assert.Equal(Enumerable.Range(6, 3).Select(n => $"line {n}"), live.Select(l => l.Text));
        Assert.All(live, l => Assert.Equal("console", l.Source));
    }

    [Fact]
    public async Task Resuming_after_a_seq_returns_exactly_the_missing_lines()
    {
        var hub = Hub();
        Append(hub, 1, 10);
        using var stop = new CancellationTokenSource(Timeout);
        await using var subscription = hub.SubscribeAsync(Server, 7, stop.Token).GetAsyncEnumerator(stop.Token);

        Assert.True(await subscription.MoveNextAsync());

        Assert.Equal([8L, 9L, 10L], subscription.Current.Select(l => l.Seq));
        Assert.Equal([8L, 9L], hub.After(Server, 7, 2).Select(l => l.Seq));
        Assert.Equal([9L, 10L], hub.Tail(Server, 2).Select(l => l.Seq));
    }

    [Fact]
    public async Task Resuming_before_the_oldest_buffered_line_yields_one_gap_marker_first()
    {
        var hub = Hub(bufferLines: 100);
        Append(hub, 1, 250);
        using var stop = new CancellationTokenSource(Timeout);
        await using var subscription = hub.SubscribeAsync(Server, 10, stop.Token).GetAsyncEnumerator(stop.Token);

        Assert.True(await subscription.MoveNextAsync());

        var backlog = subscription.Current;
        Assert.Equal(new LogLine(150, "[dashboard] 140 lines are no longer in the buffer", backlog[0].Timestamp, "dashboard"), backlog[0]);
        Assert.Equal(Enumerable.Range(151, 100).Select(n => (long)n), backlog.Skip(1).Select(l => l.Seq));
    }

    [Fact]
    public async Task Resuming_at_the_newest_seq_yields_only_live_lines()
    {
        var hub = Hub();
        Append(hub, 1, 3);
        using var stop = new CancellationTokenSource(Timeout);
        await using var subscription = hub.SubscribeAsync(Server, 3, stop.Token).GetAsyncEnumerator(stop.Token);
        var first = subscription.MoveNextAsync();

        Append(hub, 4, 1);

        Assert.True(await first);
        Assert.Equal([4L], subscription.Current.Select(l => l.Seq));
    }

    [Fact]
    public async Task A_slow_subscriber_loses_its_oldest_lines_with_one_marker_while_a_fast_one_gets_everything()
    {
        const int total = 10_000;
        var time = AtUnixEpoch();
        var hub = Hub(bufferLines: 20_000, subscriberQueue: 1_000, time);
        Append(hub, 1, 1);
        using var stop = new CancellationTokenSource(Timeout);
        await using var slow = hub.SubscribeAsync(Server, null, stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await slow.MoveNextAsync()); // subscribed, backlog read; now it stops reading
        var fastLines = new System.Collections.Concurrent.ConcurrentQueue<LogLine>();
        // Resuming after Seq 1, the fast one misses nothing even if it registers mid-flood (the rest comes as backlog).
        var fast = Task.Run(async () =>
        {
            await foreach (var batch in hub.SubscribeAsync(Server, 1, stop.Token))
            {
                foreach (var line in batch)
                {
                    fastLines.Enqueue(line);
                }

                if (fastLines.Count >= total)
                {
                    return;
                }
            }
        });
        for (var n = 2; n <= total + 1; n += 100)
        {
            time.Advance(LogSubscriber.BatchInterval); // each append in a new batching window: delivery is never held back
            Append(hub, n, 100); // never blocks, whatever the slow subscriber does
            // Paced by the fast reader only (its queue holds 1,000): the slow one is not waited for.
            await Eventually.TrueAsync(() => fastLines.Count >= n + 99 - 1, Timeout, "the fast subscriber to keep up");
        }

        await fast.WaitAsync(Timeout);
        Assert.Equal(Enumerable.Range(2, total).Select(n => (long)n), fastLines.Select(l => l.Seq));
        Assert.DoesNotContain(fastLines, l => l.Source == "dashboard");

        Assert.True(await slow.MoveNextAsync());
        var marker = slow.Current[0];
        Assert.Equal("[dashboard] 9000 lines dropped", marker.Text);
        Assert.Equal("dashboard", marker.Source);
        Assert.Equal(9001, marker.Seq); // the last dropped line: resuming after it skips exactly what was dropped
        var delivered = slow.Current.Skip(1).ToList();
        while (delivered.Count < 1_000 && await slow.MoveNextAsync())
        {
            delivered.AddRange(slow.Current);
        }

        Assert.Equal(Enumerable.Range(9002, 1_000).Select(n => (long)n), delivered.Select(l => l.Seq));
    }

    [Fact]
    public async Task Forgetting_a_server_ends_its_subscriptions()
    {
        var hub = Hub();
        Append(hub, 1, 1);
        using var stop = new CancellationTokenSource(Timeout);
        await using var subscription = hub.SubscribeAsync(Server, null, stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await subscription.MoveNextAsync());

        hub.Forget(Server);

        Assert.False(await subscription.MoveNextAsync());
        Assert.Empty(hub.Tail(Server, 10));
    }

    [Fact]
    public async Task A_server_is_watched_while_someone_streams_its_lines_or_read_them_recently()
    {
        var time = AtUnixEpoch();
        var hub = new ServerLogHub(Options.Create(new LogOptions { WatchedAfterReadSeconds = 60 }), time);
        Append(hub, 1, 1);
        Assert.False(hub.IsWatched(Server), "nobody has read it");
        Assert.False(hub.IsWatched(Server + 1), "an unknown server");

        using (var stop = new CancellationTokenSource(Timeout))
        {
            await using var subscription = hub.SubscribeAsync(Server, null, stop.Token).GetAsyncEnumerator(stop.Token);
            Assert.True(await subscription.MoveNextAsync());
            Assert.True(hub.IsWatched(Server), "a live subscriber");
        }

        Assert.False(hub.IsWatched(Server), "the subscriber left");

        hub.After(Server, 0, 10); // a script polling the REST API
        Assert.True(hub.IsWatched(Server));
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.True(hub.IsWatched(Server), "within WatchedAfterReadSeconds of the read");
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(hub.IsWatched(Server), "no read for longer than WatchedAfterReadSeconds");
        hub.Tail(Server, 10);
        Assert.True(hub.IsWatched(Server), "Tail counts as a read too");
    }

    [Fact]
    public void The_ring_buffer_keeps_the_newest_lines_and_numbers_from_one()
    {
        var buffer = new LogBuffer(3, AtUnixEpoch());
        buffer.Append("console", ["a", "b", "c", "d", "e"]);

        Assert.Equal(["c", "d", "e"], buffer.Tail(10).Select(l => l.Text));
        Assert.Equal([3L, 4L, 5L], buffer.Tail(10).Select(l => l.Seq));
        Assert.Equal(["e"], buffer.After(4, 10).Select(l => l.Text));
        Assert.Equal(["c"], buffer.After(1, 1).Select(l => l.Text));
        Assert.Empty(buffer.After(5, 10));
    }

    private static ServerLogHub Hub(int bufferLines = 10_000, int subscriberQueue = 10_000, TimeProvider? time = null) =>
        new(Options.Create(new LogOptions { BufferLines = bufferLines, SubscriberQueueLines = subscriberQueue }), time ?? AtUnixEpoch());

    /// <summary>"Now" is the Unix epoch: a buffer's first Seq is then 1 (creation-time ms × 1000 + 1), so tests speak in small numbers.</summary>
    private static FakeTimeProvider AtUnixEpoch() => new(DateTimeOffset.UnixEpoch);

    private static void Append(ServerLogHub hub, int first, int count) =>
        hub.Append(Server, "console", Enumerable.Range(first, count).Select(n => $"line {n}").ToList());

    private static async Task<List<LogLine>> ReadUntilAsync(IAsyncEnumerator<IReadOnlyList<LogLine>> subscription, long seq)
    {
        var lines = new List<LogLine>();
        while ((lines.Count == 0 || lines[^1].Seq < seq) && await subscription.MoveNextAsync())
        {
            lines.AddRange(subscription.Current);
        }

        return lines;
    }
}

public sealed class LogBufferRestartTests
{
    [Fact]
    public void A_seq_from_before_a_dashboard_restart_gets_a_restart_marker_and_the_backlog()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var before = new LogBuffer(100, time);
        before.Append("console", ["old 1", "old 2"]);
        var lastSeenBeforeRestart = before.NewestSeq;

        time.Advance(TimeSpan.FromSeconds(1)); // the dashboard restarts a second later
        var after = new LogBuffer(100, time);
        after.Append("console", ["new 1", "new 2"]);

        Assert.True(after.After(0, 1).Single().Seq > lastSeenBeforeRestart, "a new buffer numbers above the old one");
        Assert.True(lastSeenBeforeRestart < 9_007_199_254_740_991, "exact in JavaScript");
    }
}
