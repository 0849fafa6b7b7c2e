using ServerDashboard.Servers.History;
using ServerDashboard.Servers.Monitoring;

namespace ServerDashboard.Tests.History;

/// <summary>The history in a real SQLite database: ticks in, minute and hour averages out, pruning, range queries.
/// Times are in 2030 so the app's own maintenance (on the real clock) never touches them.</summary>
public sealed class ResourceHistoryStoreTests(HistoryFixture fixture) : IClassFixture<HistoryFixture>
{
    private static readonly DateTimeOffset Base = DateTimeOffset.Parse("2030-01-01T00:00:00Z");
    private static readonly ResourceHistoryOptions Options = new() { FullResolutionHours = 24, MinuteAveragesDays = 7, HourAveragesDays = 90 };

    private ResourceHistoryStore Store => fixture.Service<ResourceHistoryStore>();

    private static ServerSample Sample(int id, double cpu, long memory, int files = 10, int threads = 4) =>
        new(id, Pid: 1, Alive: true, cpu, memory, files, threads, ProcessCount: 1);

    private async Task TicksAsync(FakeTimeProvider time, int count, TimeSpan every, Func<int, ServerSample[]> samples)
    {
        for (var i = 0; i < count; i++)
        {
            await Store.AppendAsync(new MonitoringTick(time.GetUtcNow(), samples(i)), CancellationToken.None);
            time.Advance(every);
        }
    }

    [Fact]
    public async Task A_tick_stores_every_live_server_and_skips_dead_ones()
    {
        var a = await fixture.CreateServerAsync("hist-tick-a");
        var b = await fixture.CreateServerAsync("hist-tick-b");
        var at = Base.AddDays(1);

        await Store.AppendAsync(new MonitoringTick(at, [Sample(a, 12.5, 1000), Sample(b, 50, 2000) with { Alive = false }]), CancellationToken.None);

        var pointA = Assert.Single(await Store.QueryAsync(a, at.AddMinutes(-1), at.AddMinutes(1), 1, CancellationToken.None));
        Assert.Equal(new MetricPoint(at, 12.5, 1000, 10, 4), pointA);
        Assert.Empty(await Store.QueryAsync(b, at.AddMinutes(-1), at.AddMinutes(1), 1, CancellationToken.None));
    }

    [Fact]
    public async Task Ticks_older_than_the_full_resolution_window_become_minute_averages()
    {
        var id = await fixture.CreateServerAsync("hist-minutes");
        var time = new FakeTimeProvider(Base.AddDays(2));
        // Two minutes of 5-second ticks: CPU 0,1,…,11 then 12,…,23; memory 100 MB then 200 MB.
        await TicksAsync(time, 24, TimeSpan.FromSeconds(5), i => [Sample(id, i, i < 12 ? 100_000_000 : 200_000_000)]);
        var recentFrom = time.GetUtcNow();
        await TicksAsync(time, 3, TimeSpan.FromSeconds(5), i => [Sample(id, 99, 1)]);

        // 24 h after the recent ticks: the first two minutes are past the cutoff, the last ticks are not.
        time.SetUtcNow(recentFrom.AddHours(24));
        var result = await Store.DownsampleAsync(HistoryRetention.At(time.GetUtcNow(), Options), CancellationToken.None);

        Assert.True(result.TicksRemoved >= 24);
        var series = await Store.QueryAsync(id, Base, Base.AddDays(3), 1, CancellationToken.None);
        Assert.Equal(2 + 3, series.Count);
        Assert.Equal(new MetricPoint(Base.AddDays(2), 5.5, 100_000_000, 10, 4), series[0]);
        Assert.Equal(new MetricPoint(Base.AddDays(2).AddMinutes(1), 17.5, 200_000_000, 10, 4), series[1]);
        Assert.All(series.Skip(2), p => Assert.Equal(99, p.CpuPercent));
    }

    [Fact]
    public async Task Minute_averages_become_hour_averages_and_the_oldest_hours_are_pruned()
    {
        var id = await fixture.CreateServerAsync("hist-hours");
        var time = new FakeTimeProvider(Base.AddDays(10));
        // One hour of ticks a minute apart (CPU 0..59) and one tick an hour later.
        await TicksAsync(time, 60, TimeSpan.FromMinutes(1), i => [Sample(id, i, 1_000)]);
        await TicksAsync(time, 1, TimeSpan.FromMinutes(1), _ => [Sample(id, 7, 7)]);

        time.SetUtcNow(Base.AddDays(10 + 1).AddMinutes(5)); // ticks → minutes
        await Store.DownsampleAsync(HistoryRetention.At(time.GetUtcNow(), Options), CancellationToken.None);
        time.SetUtcNow(Base.AddDays(10 + 7).AddHours(3)); // minutes → hours
        await Store.DownsampleAsync(HistoryRetention.At(time.GetUtcNow(), Options), CancellationToken.None);

        var hours = await Store.QueryAsync(id, Base, Base.AddDays(30), 1, CancellationToken.None);
        Assert.Equal(2, hours.Count);
        Assert.Equal(new MetricPoint(Base.AddDays(10), 29.5, 1_000, 10, 4), hours[0]);
        Assert.Equal(new MetricPoint(Base.AddDays(10).AddHours(1), 7, 7, 10, 4), hours[1]);

        time.SetUtcNow(Base.AddDays(10 + 90).AddMinutes(30)); // the first hour is older than 90 days, the second is not
        var pruned = await Store.DownsampleAsync(HistoryRetention.At(time.GetUtcNow(), Options), CancellationToken.None);

        Assert.True(pruned.HoursPruned >= 1);
        var left = Assert.Single(await Store.QueryAsync(id, Base, Base.AddDays(30), 1, CancellationToken.None));
        Assert.Equal(Base.AddDays(10).AddHours(1), left.At);
    }

    [Fact]
    public async Task A_query_averages_into_steps_and_keeps_to_its_range()
    {
        var id = await fixture.CreateServerAsync("hist-steps");
        var start = Base.AddDays(20);
        var time = new FakeTimeProvider(start);
        await TicksAsync(time, 12, TimeSpan.FromSeconds(5), i => [Sample(id, i * 10, i * 100, files: i, threads: i)]);

        var series = await Store.QueryAsync(id, start, start.AddSeconds(60), 30, CancellationToken.None);

        Assert.Equal([start, start.AddSeconds(30)], series.Select(p => p.At));
        Assert.Equal(25, series[0].CpuPercent); // 0..50
        Assert.Equal(250, series[0].MemoryBytes);
        Assert.Equal(85, series[1].CpuPercent); // 60..110
        var inner = await Store.QueryAsync(id, start.AddSeconds(10), start.AddSeconds(20), 1, CancellationToken.None);
        Assert.Equal([start.AddSeconds(10), start.AddSeconds(15)], inner.Select(p => p.At));
    }

    [Fact]
    public async Task Samples_of_a_deleted_server_are_pruned()
    {
        var id = await fixture.CreateServerAsync("hist-orphan");
        await Store.AppendAsync(new MonitoringTick(Base.AddDays(30), [Sample(id, 1, 1)]), CancellationToken.None);
        var admin = await fixture.Factory.CreateClientWithRoleAsync(ServerDashboard.Auth.Roles.Admin);
        (await admin.DeleteAsync($"/api/v1/servers/{id}")).EnsureSuccessStatusCode();

        var result = await Store.DownsampleAsync(HistoryRetention.At(Base, Options), CancellationToken.None);

        Assert.True(result.OrphansPruned >= 1);
        Assert.Empty(await Store.QueryAsync(id, Base, Base.AddDays(60), 60, CancellationToken.None));
    }
}
