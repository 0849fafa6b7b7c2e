using ServerDashboard.Processes;

namespace ServerDashboard.Tests.Processes;

/// <summary>
/// A dashboard that dies at any instant of a start must find the daemon at its next start (or there is no daemon).
/// The first "dashboard" is frozen for good at one step of the start (as if SIGKILLed there); a second one then loads the
/// same data directory.
/// </summary>
public sealed class LaunchWindowTests : IAsyncLifetime
{
    private readonly ProcessesHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Theory]
    [InlineData(StartPhase.Spawned)]
    [InlineData(StartPhase.Settled)]
    [InlineData(StartPhase.PidFileWritten)]
    public async Task A_dashboard_that_dies_after_the_spawn_re_adopts_the_daemon_at_its_next_start(StartPhase diesAt)
    {
        int pid = await FreezeStartAtAsync(diesAt);

        await using ProcessesHarness restarted = _h.Restarted();
        PidFileLoadSummary summary = await restarted.Registry.LoadFromDiskAsync();

        Assert.Equal(1, summary.Loaded);
        TrackedProcess? entry = restarted.Registry.GetRunning("7");
        Assert.NotNull(entry);
        Assert.Equal(pid, entry.Pid);
        Assert.Equal(pid, restarted.Store.Read("7").Record!.Pid);
        Assert.False(restarted.Store.LaunchRecordExists("7"));
        Assert.Equal("/usr/bin/sleep", entry.Record.Exe);
    }

    [Fact]
    public async Task A_dashboard_that_dies_before_the_spawn_leaves_no_process_and_no_record()
    {
        await FreezeStartAtAsync(StartPhase.LaunchRecordWritten);
        string launchId = _h.Store.ReadLaunchRecord("7").Record!.LaunchId!;

        await using ProcessesHarness restarted = _h.Restarted();
        PidFileLoadSummary summary = await restarted.Registry.LoadFromDiskAsync();

        Assert.Equal(0, summary.Loaded);
        Assert.False(restarted.Store.LaunchRecordExists("7"));
        Assert.False(restarted.Store.Exists("7"));
        Assert.DoesNotContain(restarted.ProcFs.ListPids(), p => restarted.ProcFs.TryReadEnviron(p) is { } env && LaunchMarker.IsIn(env, launchId));
    }

    [Fact]
    public async Task A_start_after_an_unfinished_launch_adopts_the_daemon_instead_of_starting_a_second_one()
    {
        int pid = await FreezeStartAtAsync(StartPhase.Spawned);

        await using ProcessesHarness restarted = _h.Restarted();
        var error = await Assert.ThrowsAsync<DaemonLaunchException>(() => restarted.StartAsync("7", restarted.Spec("sleep", "1000")));

        Assert.Contains($"pid {pid}", error.Message);
        Assert.Equal(pid, restarted.Registry.GetRunning("7")!.Pid);
    }

    [Fact]
    public async Task The_daemon_carries_its_launch_marker_and_the_PID_file_names_it()
    {
        TrackedProcess entry = await _h.StartAsync("7", _h.Spec("sleep", "1000"));

        string launchId = _h.Store.Read("7").Record!.LaunchId!;
        Assert.True(LaunchMarker.IsIn(_h.ProcFs.TryReadEnviron(entry.Pid)!, launchId));
        Assert.False(_h.Store.LaunchRecordExists("7"));
    }

    /// <summary>Starts server 7 (sleep 1000) and freezes the start for ever at <paramref name="phase"/>; returns the daemon's pid (0 before the spawn).</summary>
    private async Task<int> FreezeStartAtAsync(StartPhase phase)
    {
        var reached = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource();
        _h.Manager.PhaseHook = (p, pid) =>
        {
            if (pid is { } spawned)
            {
                _h.TrackForCleanup(spawned);
            }

            if (p != phase)
            {
                return Task.CompletedTask;
            }

            reached.TrySetResult(pid ?? 0);
            return never.Task; // the dashboard "dies" here: nothing after this point runs
        };
        _ = _h.StartAsync("7", _h.Spec("sleep", "1000"));
        return await reached.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
