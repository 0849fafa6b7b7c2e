using System.Threading.Channels;
using ServerDashboard.Logs;

namespace ServerDashboard.Tests.Logs;

public sealed class LogThrottleTests
{
    private const string ThrottledText = "[dashboard] throttled: showing at most 100 lines/s, 900 lines skipped (the log file is complete)";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_flood_gets_one_second_of_lines_then_one_marker_counting_the_rest_once_the_bucket_is_full_again()
    {
        var time = new FakeTimeProvider();
        var throttle = new LogThrottle(100, backlogUpToSeq: 0, time);

        var first = throttle.Filter(Lines(1, 500));
        time.Advance(TimeSpan.FromMilliseconds(500)); // half refilled: still one episode, nothing delivered
        var second = throttle.Filter(Lines(501, 500));
        Assert.Null(throttle.TakeDueMarker());
        time.Advance(TimeSpan.FromMilliseconds(500));
        var next = throttle.Filter(Lines(1001, 1));

        Assert.Equal(Enumerable.Range(1, 100).Select(n => (long)n), first.Select(l => l.Seq));
        Assert.Empty(second);
        Assert.Equal(new LogLine(1000, ThrottledText, next[0].Timestamp, "dashboard"), next[0]);
        Assert.Equal(1001, next[1].Seq);
        Assert.Equal(2, next.Count);
    }

    [Fact]
    public void The_backlog_and_dashboard_markers_are_never_throttled()
    {
        var throttle = new LogThrottle(1, backlogUpToSeq: 50, new FakeTimeProvider());
        var dropped = LogMarkers.Dropped(5, 60, 0);

        var delivered = throttle.Filter([.. Lines(1, 55), dropped, .. Lines(61, 3)]);

        Assert.Equal([.. Enumerable.Range(1, 51).Select(n => (long)n), 60L], delivered.Select(l => l.Seq)); // 51 took the one token
    }

    [Fact]
    public async Task A_throttled_subscription_gets_at_most_its_budget_and_one_marker_even_when_the_flood_stops()
    {
        var time = new FakeTimeProvider();
        var source = Channel.CreateUnbounded<IReadOnlyList<LogLine>>();
        using var stop = new CancellationTokenSource(Timeout);
        await using var stream = source.Reader.ReadAllAsync(stop.Token)
            .ThrottleAsync(new LogThrottle(100, backlogUpToSeq: 0, time), time, stop.Token)
            .GetAsyncEnumerator(stop.Token);

        for (var first = 1; first <= 1_000; first += 100)
        {
            source.Writer.TryWrite(Lines(first, 100));
        }

        var delivered = new List<LogLine>();
        while (delivered.Count < 100 && await stream.MoveNextAsync())
        {
            delivered.AddRange(stream.Current);
        }

        var markerComing = stream.MoveNextAsync(); // nothing more is written: only the due marker can end this wait
        while (!markerComing.IsCompleted)
        {
            time.Advance(TimeSpan.FromMilliseconds(100)); // the ten 100-line batches are long filtered by now
            await Task.Delay(20, stop.Token);
        }

        Assert.True(await markerComing);
        Assert.Equal(Enumerable.Range(1, 100).Select(n => (long)n), delivered.Select(l => l.Seq));
        var marker = Assert.Single(stream.Current);
        Assert.Equal(ThrottledText, marker.Text);
        Assert.Equal(1000, marker.Seq); // the last skipped line: resuming after it skips exactly what was skipped
    }

    [Fact]
    public async Task An_unthrottled_hub_subscription_gets_every_line()
    {
        var hub = new ServerLogHub(Microsoft.Extensions.Options.Options.Create(new LogOptions()), new FakeTimeProvider(DateTimeOffset.UnixEpoch));
        hub.Append(1, "console", ["first"]);
        using var stop = new CancellationTokenSource(Timeout);
        await using var subscription = hub.SubscribeAsync(1, null, stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await subscription.MoveNextAsync());

        hub.Append(1, "console", Enumerable.Range(2, 5_000).Select(n => $"line {n}").ToList());
        var live = new List<LogLine>();
        while (live.Count < 5_000 && await subscription.MoveNextAsync())
        {
            live.AddRange(subscription.Current);
        }

        Assert.Equal(Enumerable.Range(2, 5_000).Select(n => (long)n), live.Select(l => l.Seq));
    }

    private static List<LogLine> Lines(int first, int count) =>
        Enumerable.Range(first, count).Select(n => new LogLine(n, $"line {n}", 0, "console")).ToList();
}
