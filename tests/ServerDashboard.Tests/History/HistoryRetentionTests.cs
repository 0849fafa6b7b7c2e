using ServerDashboard.Servers.History;
using ServerDashboard.Servers.Monitoring;

namespace ServerDashboard.Tests.History;

public sealed class HistoryRetentionTests
{
    [Fact]
    public void Cutoffs_fall_on_minute_and_hour_boundaries_behind_each_window()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T18:37:42.250Z"));
        var options = new ResourceHistoryOptions { FullResolutionHours = 24, MinuteAveragesDays = 7, HourAveragesDays = 90 };

        var retention = HistoryRetention.At(time.GetUtcNow(), options);

        Assert.Equal(DateTimeOffset.Parse("2026-11-30T18:37:00Z").ToUnixTimeMilliseconds(), retention.TickCutoff);
        Assert.Equal(DateTimeOffset.Parse("2026-11-24T18:00:00Z").ToUnixTimeMilliseconds(), retention.MinuteCutoff);
        Assert.Equal(DateTimeOffset.Parse("2026-09-02T18:37:42.250Z").ToUnixTimeMilliseconds(), retention.HourCutoff);
    }

    [Fact]
    public void Cutoffs_move_with_the_clock_and_the_options()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T00:00:00Z"));
        var options = new ResourceHistoryOptions { FullResolutionHours = 1, MinuteAveragesDays = 1, HourAveragesDays = 2 };
        var before = HistoryRetention.At(time.GetUtcNow(), options);

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(before.TickCutoff, HistoryRetention.At(time.GetUtcNow(), options).TickCutoff);
        time.Advance(TimeSpan.FromSeconds(1));
        var after = HistoryRetention.At(time.GetUtcNow(), options);

        Assert.Equal(before.TickCutoff + 60_000, after.TickCutoff);
        Assert.Equal(before.MinuteCutoff, after.MinuteCutoff);
        Assert.Equal(DateTimeOffset.Parse("2026-11-29T00:01:00Z").ToUnixTimeMilliseconds(), after.HourCutoff);
    }

    [Theory]
    [InlineData(0, 60, 0)]
    [InlineData(59_999, 60, 0)]
    [InlineData(60_000, 60, 60_000)]
    [InlineData(7_199_999, 3600, 3_600_000)]
    [InlineData(-1, 60, -60_000)]
    public void Floor_to_a_bucket_start(long unixMs, int bucketSeconds, long expected) =>
        Assert.Equal(expected, HistoryRetention.FloorTo(unixMs, bucketSeconds));
}
