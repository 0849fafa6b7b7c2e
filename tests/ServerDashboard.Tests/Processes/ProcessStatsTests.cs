using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServerDashboard.Processes;

namespace ServerDashboard.Tests.Processes;

public sealed class ProcessStatsTests : IAsyncLifetime
{
    private readonly ProcessesHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Stats_cover_every_tracked_daemon_summed_over_its_process_group()
    {
        TrackedProcess alive = await _h.StartAsync("1", _h.Spec("sh", "-c", "sleep 1000 & sleep 1000 & wait"));
        TrackedProcess dead = await _h.StartAsync("2", _h.Spec("sh", "-c", "exit 4"));
        await Poll.UntilAsync(() => _h.Registry.PollExit(dead) is not null, "server 2 to exit");
        await Poll.UntilAsync(() => _h.ProcFs.ListProcessGroup(alive.Pid).Count == 3, "both sleeps to start");

        ProcessRegistryStats stats = _h.Get<ProcessStatsCollector>().Collect();

        Assert.Equal((2, 1, 1, 1), (stats.TotalTracked, stats.Alive, stats.Dead, stats.PidFilesOnDisk));
        Assert.Equal(_h.Dir.Combine("run"), stats.PidDirectory);
        ProcessStats one = stats.Processes.Single(p => p.ServerId == "1");
        Assert.Equal(alive.Pid, one.Pid);
        Assert.True(one.Alive);
        Assert.True(one.PidFileExists);
        Assert.False(one.LoadedFromDisk);
        Assert.Equal(alive.PidFilePath, one.PidFile);
        Assert.Equal(3, one.ProcessCount);
        Assert.Equal(3, one.Threads);
        Assert.Equal(9, one.OpenFiles); // 0, 1, 2 in each of the three processes
        Assert.InRange(one.MemoryMb!.Value, 0.1, 100);
        Assert.InRange(one.CpuPercent!.Value, 0, 200);
        Assert.InRange(one.UptimeSeconds!.Value, 0, 60);
        Assert.InRange(one.StartTime!.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        ProcessStats two = stats.Processes.Single(p => p.ServerId == "2");
        Assert.False(two.Alive);
        Assert.False(two.PidFileExists);
        Assert.Equal("exit code 4", two.LastExit);
    }

    [Fact]
    public async Task Cpu_percent_is_the_rate_between_two_samples()
    {
        await _h.StartAsync("1", _h.Spec("sh", "-c", "while :; do :; done"));
        var collector = _h.Get<ProcessStatsCollector>();
        collector.Collect();

        // A busy loop: the rate between samples is well above zero (how far depends on what else the 2 cores run, so the
        // bound is loose) and never above what the cores can give.
        double cpu = 0;
        await Poll.UntilAsync(() => (cpu = collector.Collect().Processes[0].CpuPercent!.Value) > 10, "a busy loop to show CPU use", 30);
        Assert.InRange(cpu, 10, 100 * Environment.ProcessorCount);
    }

    [Fact]
    public void AddProcesses_registers_a_complete_module()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddProcesses(o => o.DataDirectory = "/tmp/unused");

        using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        Assert.NotNull(provider.GetRequiredService<DaemonManager>());
        Assert.NotNull(provider.GetRequiredService<ProcessStatsCollector>());
        Assert.NotNull(provider.GetRequiredService<PortOwnerLookup>());
        Assert.NotNull(provider.GetRequiredService<LockFileReader>());
        Assert.Contains(provider.GetServices<IHostedService>(), s => s is ExitMonitor);
    }
}
