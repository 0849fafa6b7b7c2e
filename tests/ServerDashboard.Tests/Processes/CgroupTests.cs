using System.Diagnostics;
using ServerDashboard.Processes;
using ServerDashboard.Processes.Cgroups;
using ServerDashboard.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ServerDashboard.Tests.Processes;

/// <summary>
/// A cgroup per server, for real: these machines are cgroup v1 hybrids with memory, cpu, cpuacct and pids writable as
/// root (the unified hierarchy has no controllers, so v2 is covered by <see cref="CgroupV2WriterTests"/>).
/// </summary>
[Collection(CgroupCollection.Name)]
public sealed class CgroupTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_server_gets_its_own_cgroup_before_its_code_runs_and_it_is_removed_after_a_stop()
    {
        await using var harness = new ProcessesHarness();
        var cgroups = RequireV1(harness);

        var entry = await harness.StartAsync("7", harness.Spec("/bin/sleep", "300"));

        var cgroup = Assert.IsType<ServerCgroup>(entry.Cgroup);
        Assert.Equal(cgroups.NameFor("7"), cgroup.Name);
        Assert.Equal(cgroup.Name, entry.Record.Cgroup);
        Assert.True(cgroups.Contains(cgroup, entry.Pid));
        // Joined before exec: the process never ran outside it, so its cgroup line is there from its first instruction.
        Assert.Contains($"pids:/{cgroup.Name}", await File.ReadAllTextAsync($"/proc/{entry.Pid}/cgroup"));
        Assert.Equal("/bin/sleep", harness.ProcFs.TryReadExe(entry.Pid)?.Replace("/usr/bin/", "/bin/"));

        var stopped = await harness.Manager.StopAsync("7", StopSignal.SigTerm, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(StopOutcome.Graceful, stopped.Outcome);
        Assert.All(cgroup.Directories, d => Assert.False(Directory.Exists(d), $"{d} is still there"));
    }

    [Fact]
    public async Task A_server_over_its_memory_limit_is_killed_by_the_OOM_killer_and_the_exit_says_so()
    {
        await using var harness = new ProcessesHarness();
        RequireV1(harness);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var exits = harness.Get<DaemonExitFeed>().WatchAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var next = exits.MoveNextAsync();
        await harness.StartMonitorAsync();

        // tail -n 1 of a stream without newlines keeps all of it: resident memory grows until the limit (64 MB) is hit.
        var entry = await harness.StartAsync("oom", harness.Spec("/usr/bin/tail", "-n", "1", "/dev/zero") with { Limits = new ResourceLimits(MaxMemoryMb: 64) });

        Assert.True(await next);
        var exit = exits.Current;
        Assert.Equal("oom", exit.ServerId);
        Assert.Equal(entry.Pid, exit.Pid);
        Assert.True(exit.OomKilled, $"exit {exit.Status} was not attributed to the OOM killer");
        Assert.Equal(ExitKind.Signal, exit.Status.Kind);
        Assert.Equal(9, exit.Status.Signal);
        Assert.True(Process.GetCurrentProcess().Responding); // the dashboard itself is untouched
        await exits.DisposeAsync();
    }

    [Fact]
    public async Task A_CPU_quota_of_25_percent_holds_a_busy_loop_to_a_quarter_of_a_core()
    {
        await using var harness = new ProcessesHarness();
        var cgroups = RequireV1(harness);
        var entry = await harness.StartAsync("burn", harness.Spec("/bin/sh", "-c", "while :; do :; done") with { Limits = new ResourceLimits(MaxCpuPercent: 25) });
        var cgroup = entry.Cgroup!;
        Assert.Equal("25000", (await File.ReadAllTextAsync(Path.Combine(cgroup.Directories[1], "cpu.cfs_quota_us"))).Trim());

        await Task.Delay(TimeSpan.FromSeconds(1)); // past the first period's burst
        var (before, _) = cgroups.Usage(cgroup);
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var (after, _) = cgroups.Usage(cgroup);
        var percent = (after!.Value - before!.Value).TotalSeconds / clock.Elapsed.TotalSeconds * 100;

        output.WriteLine($"cpu quota 25 %: the busy loop used {percent:0.0} % of a core over {clock.Elapsed.TotalSeconds:0.0} s (cgroup cpuacct.usage)");
        Assert.InRange(percent, 20, 30);
    }

    [Fact]
    public async Task A_fork_bomb_is_held_to_its_process_limit_and_stop_clears_it()
    {
        // bash, not dash: bash retries a failed fork, so the bomb keeps pushing against the limit instead of exiting.
        await using var harness = new ProcessesHarness();
        var cgroups = RequireV1(harness);
        var entry = await harness.StartAsync("bomb", harness.Spec("/bin/bash", "-c", "while :; do /bin/sleep 1000 & done") with { Limits = new ResourceLimits(MaxProcesses: 20) });
        var cgroup = entry.Cgroup!;

        await Eventually.TrueAsync(() => cgroups.Members(cgroup).Count >= 15, TimeSpan.FromSeconds(20), "the bomb to reach its limit");
        await Task.Delay(500);
        Assert.InRange(cgroups.Members(cgroup).Count, 15, 20);
        Assert.Equal("20", (await File.ReadAllTextAsync(Path.Combine(cgroup.Directories[3], "pids.max"))).Trim());
        using (var probe = Process.Start("/bin/true")!) // the host can still fork
        {
            await probe.WaitForExitAsync();
        }

        var stopped = await harness.Manager.StopAsync("bomb", StopSignal.SigTerm, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.NotEqual(StopOutcome.Failed, stopped.Outcome);
        var left = cgroups.Members(cgroup);
        Assert.True(left.Count == 0, $"{stopped.Outcome} {stopped.Message}; left: " + string.Join("; ", left.Select(p => $"{p} {harness.ProcFs.TryReadStat(p)}"))
            + " dirs: " + string.Join(",", cgroup.Directories.Select(Directory.Exists)) + " log: " + string.Join("\n", harness.Logs.Lines.TakeLast(8)));
        Assert.True(cgroup.Directories.All(d => !Directory.Exists(d)), $"{stopped.Outcome} {stopped.Message}; log: " + string.Join("\n", harness.Logs.Lines.TakeLast(10)));
    }

    [Fact]
    public async Task A_grandchild_that_left_the_session_and_ignores_SIGTERM_is_found_and_killed_by_stop()
    {
        await using var harness = new ProcessesHarness();
        var cgroups = RequireV1(harness);
        // setsid: a new session and group, so neither kill(-pgid) nor the session scan reach it; trap '' TERM: ignores SIGTERM.
        var script = "/usr/bin/setsid /bin/sh -c 'trap \"\" TERM; echo escaped $$; while :; do /bin/sleep 1; done' & exec /bin/sleep 1000";
        var entry = await harness.StartAsync("esc", harness.Spec("/bin/sh", "-c", script));
        var cgroup = entry.Cgroup!;
        await Eventually.TrueAsync(() => File.Exists(harness.Dir.Combine("logs", "server.log")) && File.ReadAllText(harness.Dir.Combine("logs", "server.log")).Contains("escaped"),
            TimeSpan.FromSeconds(10), "the grandchild to start");
        var escaper = int.Parse(File.ReadAllText(harness.Dir.Combine("logs", "server.log")).Split("escaped ")[1].Split('\n')[0].Trim());
        harness.TrackForCleanup(escaper);
        Assert.NotEqual(entry.Pid, harness.ProcFs.TryReadStat(escaper)!.SessionId);
        Assert.Contains(escaper, cgroups.Members(cgroup));

        var stopped = await harness.Manager.StopAsync("esc", StopSignal.SigTerm, TimeSpan.FromSeconds(2), CancellationToken.None);

        Assert.Equal(StopOutcome.EscalatedToKill, stopped.Outcome);
        Assert.True(harness.ProcFs.TryReadStat(escaper) is null or { IsZombieOrDead: true }, "the escaped grandchild must be dead");
        Assert.All(cgroup.Directories, d => Assert.False(Directory.Exists(d)));
    }

    [Fact]
    public async Task Stats_count_the_escaped_grandchild_and_memory_comes_from_the_cgroup()
    {
        await using var harness = new ProcessesHarness();
        RequireV1(harness);
        var entry = await harness.StartAsync("9", harness.Spec("/bin/sh", "-c", "/usr/bin/setsid /bin/sleep 1000 & exec /bin/sleep 1000"));
        await Eventually.TrueAsync(() => harness.Get<CgroupManager>().Members(entry.Cgroup!).Count == 2, TimeSpan.FromSeconds(10), "two members");
        foreach (var pid in harness.Get<CgroupManager>().Members(entry.Cgroup!))
        {
            harness.TrackForCleanup(pid);
        }

        var stats = harness.Get<ProcessStatsCollector>().Collect().Processes.Single(p => p.ServerId == "9");

        Assert.Equal(2, stats.ProcessCount);
        Assert.True(stats.MemoryBytes > 0);
    }

    [Fact]
    public async Task After_a_dashboard_restart_the_cgroup_is_found_and_checked_and_a_stale_one_is_removed()
    {
        await using var harness = new ProcessesHarness();
        var cgroups = RequireV1(harness);
        var entry = await harness.StartAsync("live", harness.Spec("/bin/sleep", "300"));
        // A cgroup of a server that exited while no dashboard ran to clean up after it.
        var stale = cgroups.Create("gone", new CgroupLimits(MemoryMb: 100))!;
        Assert.True(Directory.Exists(stale.Directories[0]));

        await using var restarted = harness.Restarted();
        await restarted.Registry.LoadFromDiskAsync();

        var adopted = restarted.Registry.GetRunning("live")!;
        Assert.True(adopted.LoadedFromDisk);
        Assert.Equal(entry.Cgroup!.Name, adopted.Cgroup?.Name);
        Assert.All(stale.Directories, d => Assert.False(Directory.Exists(d), $"stale {d} was not removed"));
        Assert.True(Directory.Exists(entry.Cgroup!.Directories[0]));
        await restarted.Manager.KillAsync("live", CancellationToken.None);
        Assert.False(Directory.Exists(entry.Cgroup!.Directories[0]));
    }

    [Fact]
    public async Task Without_cgroup_access_a_server_starts_with_rlimits_and_the_reason_is_given()
    {
        using var dir = new TempDirectory();
        await using var harness = new ProcessesHarness(o => o.Cgroups.Root = dir.Combine("no-cgroupfs-here"));
        var cgroups = harness.Get<CgroupManager>();

        var entry = await harness.StartAsync("plain", harness.Spec("/bin/sleep", "300") with { Limits = new ResourceLimits(MaxMemoryMb: 512, MaxCpuPercent: 50) });

        Assert.False(cgroups.Support.Available);
        Assert.StartsWith("not enforced: ", cgroups.Support.Describe());
        Assert.Null(entry.Cgroup);
        Assert.Null(entry.Record.Cgroup);
        // The memory limit falls back to RLIMIT_AS, as before cgroups.
        Assert.Contains("Max address space         536870912", await File.ReadAllTextAsync($"/proc/{entry.Pid}/limits"));
        Assert.NotEmpty(harness.Logs.LinesContaining("No cgroups for servers"));
    }

    private static CgroupManager RequireV1(ProcessesHarness harness)
    {
        var cgroups = harness.Get<CgroupManager>();
        Assert.True(cgroups.Support.Version == CgroupVersion.V1,
            $"these tests need cgroup v1 as root (this machine kind has it; install cgroup-tools for cgexec): {cgroups.Support.Describe()}");
        return cgroups;
    }
}

/// <summary>The CPU-quota figure needs the cores to itself more than other tests do: cgroup tests run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CgroupCollection
{
    public const string Name = "cgroups";
}
