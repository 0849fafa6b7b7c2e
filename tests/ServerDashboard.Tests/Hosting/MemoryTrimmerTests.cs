using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ServerDashboard.Hosting;

namespace ServerDashboard.Tests.Hosting;

public sealed class MemoryTrimmerTests
{
    private const long MB = 1024 * 1024;

    [Fact]
    public void A_trim_comes_when_the_GC_holds_much_unused_memory_and_the_burst_is_over()
    {
        var policy = new MemoryTrimPolicy(new MemoryTrimOptions()); // 8 MB unused, 30 s apart
        var t = TimeSpan.Zero;
        TimeSpan Next() => t += TimeSpan.FromSeconds(5);

        Assert.False(policy.ShouldTrim(new(0, 20 * MB, 15 * MB), Next())); // 5 MB unused: not worth a full GC
        Assert.False(policy.ShouldTrim(new(80 * MB, 60 * MB, 15 * MB), Next())); // 45 MB unused, but 80 MB allocated meanwhile: a burst
        Assert.True(policy.ShouldTrim(new(82 * MB, 60 * MB, 15 * MB), Next())); // the burst is over: trim
        Assert.False(policy.ShouldTrim(new(84 * MB, 40 * MB, 15 * MB), Next())); // again 25 MB unused, but only 5 s later
        Next();
        Next();
        Next();
        Next();
        Assert.True(policy.ShouldTrim(new(90 * MB, 40 * MB, 15 * MB), Next())); // 30 s after the last trim
    }

    [Fact]
    public void A_steady_trickle_that_keeps_memory_committed_is_trimmed_at_most_every_30_seconds()
    {
        var policy = new MemoryTrimPolicy(new MemoryTrimOptions { TrimAboveUnusedMegabytes = 8, MinimumSecondsBetweenTrims = 30 });
        int trims = 0;
        for (var tick = 1; tick <= 60; tick++) // 5 minutes of 2.5 MB per 5 s with 20 MB unused
        {
            trims += policy.ShouldTrim(new(tick * 5 * MB / 2, 35 * MB, 15 * MB), TimeSpan.FromSeconds(tick * 5)) ? 1 : 0;
        }

        Assert.Equal(10, trims);
    }

    [Fact]
    public void A_young_collection_comes_after_4_MB_allocated_without_one_from_the_GC()
    {
        var policy = new MemoryTrimPolicy(new MemoryTrimOptions()); // 4 MB

        Assert.False(policy.ShouldCollectYoung(new(10 * MB, 0, 0, YoungCollections: 7))); // the baseline
        Assert.False(policy.ShouldCollectYoung(new(13 * MB, 0, 0, 7)));
        Assert.True(policy.ShouldCollectYoung(new(14 * MB, 0, 0, 7))); // 4 MB since the GC last collected
        Assert.False(policy.ShouldCollectYoung(new(15 * MB, 0, 0, 8))); // ours, seen: counted from here
        Assert.False(policy.ShouldCollectYoung(new(18 * MB, 0, 0, 9))); // the GC collected by itself meanwhile
        Assert.False(policy.ShouldCollectYoung(new(21 * MB, 0, 0, 9)));
        Assert.True(policy.ShouldCollectYoung(new(22 * MB, 0, 0, 9)));

        var off = new MemoryTrimPolicy(new MemoryTrimOptions { CollectAfterAllocatedMegabytes = 0 });
        Assert.False(off.ShouldCollectYoung(new(0, 0, 0, 1)));
        Assert.False(off.ShouldCollectYoung(new(100 * MB, 0, 0, 1)));
    }

    [Fact]
    public async Task The_service_trims_on_its_timer_when_the_policy_says_so_and_not_when_turned_off()
    {
        foreach (bool enabled in new[] { true, false })
        {
            var time = new FakeTimeProvider();
            var sample = new MemorySample(0, 12 * MB, 10 * MB);
            var options = Options.Create(new DashboardOptions { Memory = { TrimUnusedMemory = enabled, CheckIntervalSeconds = 5 } });
            using var trimmer = new MemoryTrimmer(options, time, NullLogger<MemoryTrimmer>.Instance)
            {
                Sample = () => sample,
                Trim = () => { },
                CollectYoung = () => { },
            };
            await trimmer.StartAsync(CancellationToken.None);

            await TickAsync(time); // 2 MB unused: nothing to do
            sample = new MemorySample(50 * MB, 60 * MB, 10 * MB); // the burst: start-up
            await TickAsync(time);
            sample = sample with { AllocatedBytes = 51 * MB }; // quiet
            await TickAsync(time);
            await TickAsync(time); // within 30 s of the trim

            await trimmer.StopAsync(CancellationToken.None);
            Assert.Equal(enabled ? 1 : 0, trimmer.Trims);
            Assert.Equal(enabled ? 1 : 0, trimmer.YoungCollections); // the burst's 50 MB with no collection counted
        }
    }

    [Fact]
    public void A_real_trim_runs_and_leaves_the_heap_usable()
    {
        var options = Options.Create(new DashboardOptions());
        using var trimmer = new MemoryTrimmer(options, TimeProvider.System, NullLogger<MemoryTrimmer>.Instance);
        int gen2Before = GC.CollectionCount(2);

        trimmer.Trim(); // GC.Collect(Aggressive) + glibc's malloc_trim, for real

        Assert.True(GC.CollectionCount(2) > gen2Before);
        Assert.Equal(1000, new byte[1000].Length);
    }

    private static async Task TickAsync(FakeTimeProvider time)
    {
        time.Advance(TimeSpan.FromSeconds(5));
        await Task.Delay(50); // the service's continuation runs on the thread pool
    }
}
