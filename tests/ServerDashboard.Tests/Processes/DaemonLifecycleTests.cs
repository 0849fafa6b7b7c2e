using ServerDashboard.Processes;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Tests.Processes;

public sealed class DaemonLifecycleTests : IAsyncLifetime
{
    private readonly ProcessesHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_daemon_that_exits_while_we_run_is_reaped_and_its_exit_code_recorded()
    {
        await _h.StartMonitorAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        IAsyncEnumerator<DaemonExit> exits = _h.Get<DaemonExitFeed>().WatchAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        Task<bool> firstExit = exits.MoveNextAsync().AsTask();

        TrackedProcess entry = await _h.StartAsync("1", _h.Spec("sh", "-c", "sleep 0.2; exit 7"));

        await Poll.UntilAsync(() => entry.HasExited, "the exit to be detected");
        Assert.Equal(new ExitStatus(ExitKind.Code, Code: 7), entry.LastExit);
        Assert.Null(_h.ProcFs.TryReadStat(entry.Pid)); // reaped: not even a zombie is left
        await Poll.UntilAsync(() => !File.Exists(entry.PidFilePath), "the PID file to be removed"); // just after the exit is recorded
        Assert.False(_h.Registry.IsRunning("1"));
        Assert.True(await firstExit);
        Assert.Equal(new DaemonExit("1", entry.Pid, entry.LastExit!, entry.ExitedAt!.Value, WasOurChild: true, StopRequested: false), exits.Current);
        Assert.Single(_h.Logs.LinesContaining($"Daemon of server 1 (pid {entry.Pid}) exited: exit code 7"));
        await exits.DisposeAsync();
    }

    [Fact]
    public async Task A_daemon_killed_from_outside_is_reaped_and_the_signal_recorded()
    {
        await _h.StartMonitorAsync();
        TrackedProcess entry = await _h.StartAsync("1", _h.Spec("sleep", "1000"));

        Assert.Equal(0, LinuxNative.kill(entry.Pid, LinuxNative.SIGKILL));

        await Poll.UntilAsync(() => entry.HasExited, "the exit to be detected");
        Assert.Equal(new ExitStatus(ExitKind.Signal, Signal: 9), entry.LastExit);
        Assert.Equal("killed by signal 9 (SIGKILL)", entry.LastExit!.ToString());
        Assert.Null(_h.ProcFs.TryReadStat(entry.Pid));
    }

    [Fact]
    public async Task Stopping_sends_SIGTERM_to_the_group_and_reports_a_graceful_stop()
    {
        TrackedProcess entry = await _h.StartAsync("1", _h.Spec("sleep", "1000"));

        StopResult result = await _h.Manager.StopAsync("1", StopSignal.SigTerm, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(StopOutcome.Graceful, result.Outcome);
        Assert.Equal(new ExitStatus(ExitKind.Signal, Signal: 15), result.Exit);
        Assert.Equal(entry.Pid, result.Pid);
        Assert.True(result.Duration < TimeSpan.FromSeconds(5));
        Assert.False(File.Exists(entry.PidFilePath));
        Assert.Null(_h.ProcFs.TryReadStat(entry.Pid));
        Assert.True(entry.StopRequested);
        Assert.False(_h.Registry.IsRunning("1"));
    }

    [Fact]
    public async Task Stopping_with_SIGINT_delivers_SIGINT()
    {
        await _h.StartAsync("1", _h.Spec("sleep", "1000"));

        StopResult result = await _h.Manager.StopAsync("1", StopSignal.SigInt, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(new ExitStatus(ExitKind.Signal, Signal: 2), result.Exit);
    }

    [Fact]
    public async Task A_daemon_that_ignores_SIGTERM_is_SIGKILLed_after_the_timeout()
    {
        TrackedProcess entry = await _h.StartAsync("1", _h.Spec("sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.1; done"));
        await Poll.UntilAsync(() => File.Exists(entry.LogPath) && File.ReadAllText(entry.LogPath!).Contains("ready"), "the trap to be installed");

        StopResult result = await _h.Manager.StopAsync("1", StopSignal.SigTerm, TimeSpan.FromMilliseconds(500), CancellationToken.None);

        Assert.Equal(StopOutcome.EscalatedToKill, result.Outcome);
        Assert.Equal(new ExitStatus(ExitKind.Signal, Signal: 9), result.Exit);
        Assert.InRange(result.Duration, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5));
        Assert.Empty(_h.Get<ProcessGroupSignaller>().LiveMembers(entry));
        Assert.Single(_h.Logs.LinesContaining("still running 0.5s after the stop request; sending SIGKILL to its group"));
    }

    [Fact]
    public async Task Stopping_leaves_no_grandchild_behind()
    {
        TrackedProcess entry = await _h.StartAsync("1", _h.Spec("sh", "-c", "sleep 1000 & echo $! > grandchild.pid; while :; do sleep 0.1; done"));
        ProcessIdentity grandchild = await ReadGrandchildAsync();

        StopResult result = await _h.Manager.StopAsync("1", StopSignal.SigTerm, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(StopOutcome.Graceful, result.Outcome);
        Assert.False(_h.ProcFs.IsAlive(grandchild), "the grandchild must not survive");
        Assert.Empty(_h.Get<ProcessGroupSignaller>().LiveMembers(entry));
    }

    [Fact]
    public async Task A_grandchild_that_ignores_SIGTERM_and_outlives_its_parent_is_SIGKILLed()
    {
        TrackedProcess entry = await _h.StartAsync("1", _h.Spec("sh", "-c", "(trap '' TERM; exec sleep 1000) & echo $! > grandchild.pid; while :; do sleep 0.1; done"));
        ProcessIdentity grandchild = await ReadGrandchildAsync();
        await Poll.UntilAsync(() => _h.ProcFs.TryReadExe(grandchild.Pid) == "/usr/bin/sleep", "the grandchild to exec sleep");

        StopResult result = await _h.Manager.StopAsync("1", StopSignal.SigTerm, TimeSpan.FromMilliseconds(500), CancellationToken.None);

        Assert.Equal(StopOutcome.EscalatedToKill, result.Outcome);
        Assert.Equal(new ExitStatus(ExitKind.Signal, Signal: 15), result.Exit); // the leader itself went on SIGTERM
        Assert.Equal(1, result.StragglersKilled);
        await Poll.UntilAsync(() => !_h.ProcFs.IsAlive(grandchild), "the grandchild to die");
    }

    [Fact]
    public async Task Kill_sends_SIGKILL_to_the_whole_group_at_once()
    {
        TrackedProcess entry = await _h.StartAsync("1", _h.Spec("sh", "-c", "trap '' TERM; sleep 1000 & echo $! > grandchild.pid; while :; do sleep 0.1; done"));
        ProcessIdentity grandchild = await ReadGrandchildAsync();

        StopResult result = await _h.Manager.KillAsync("1", CancellationToken.None);

        Assert.Equal(StopOutcome.Killed, result.Outcome);
        Assert.Equal(new ExitStatus(ExitKind.Signal, Signal: 9), result.Exit);
        Assert.False(_h.ProcFs.IsAlive(grandchild));
        Assert.False(File.Exists(entry.PidFilePath));
    }

    [Fact]
    public async Task A_graceful_action_replaces_the_signal()
    {
        TrackedProcess entry = await _h.StartAsync("1", _h.Spec("sh", "-c", "read cmd; echo \"got $cmd\"; exit 3"));
        async Task SendStopCommand(CancellationToken ct) => await File.AppendAllTextAsync(entry.StdinPath!, "stop\n", ct);

        StopResult result = await _h.Manager.StopAsync("1", StopSignal.SigTerm, TimeSpan.FromSeconds(5), CancellationToken.None, SendStopCommand);

        Assert.Equal(StopOutcome.Graceful, result.Outcome);
        Assert.Equal(new ExitStatus(ExitKind.Code, Code: 3), result.Exit);
        Assert.Contains("got stop", File.ReadAllText(entry.LogPath!));
    }

    [Fact]
    public async Task A_failing_graceful_action_falls_back_to_the_signal()
    {
        await _h.StartAsync("1", _h.Spec("sleep", "1000"));

        StopResult result = await _h.Manager.StopAsync("1", StopSignal.SigTerm, TimeSpan.FromSeconds(5), CancellationToken.None,
            _ => throw new IOException("RCON refused the connection"));

        Assert.Equal(new ExitStatus(ExitKind.Signal, Signal: 15), result.Exit);
        Assert.Single(_h.Logs.LinesContaining("failed (RCON refused the connection); sending SigTerm instead"));
    }

    [Fact]
    public async Task Stopping_a_server_that_is_not_running_says_so()
    {
        StopResult result = await _h.Manager.StopAsync("5", StopSignal.SigTerm, TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.Equal(StopOutcome.NotRunning, result.Outcome);
    }

    [Fact]
    public async Task Starting_a_server_that_is_already_running_is_refused()
    {
        TrackedProcess entry = await _h.StartAsync("1", _h.Spec("sleep", "1000"));

        var e = await Assert.ThrowsAsync<DaemonLaunchException>(() => _h.StartAsync("1", _h.Spec("sleep", "1000")));

        Assert.Equal($"server 1 is already running (pid {entry.Pid})", e.Message);
    }

    [Fact]
    public async Task A_restarted_dashboard_adopts_the_daemon_and_can_stop_it()
    {
        TrackedProcess original = await _h.StartAsync("1", _h.Spec("sleep", "1000"));
        await using ProcessesHarness restarted = _h.Restarted();

        PidFileLoadSummary summary = await restarted.Registry.LoadFromDiskAsync();

        Assert.Equal((1, 0), (summary.Loaded, summary.Cleaned));
        Assert.Single(restarted.Logs.LinesContaining("PID file loading complete: loaded=1, cleaned=0"));
        TrackedProcess adopted = restarted.Registry.Get("1")!;
        Assert.True(adopted.LoadedFromDisk);
        Assert.False(adopted.IsOurChild);
        Assert.Equal(original.Identity, adopted.Identity);
        Assert.Equal("s3cret", adopted.Record.RconPassword);
        Assert.Equal(original.LogPath, adopted.LogPath);
        Assert.True(restarted.Registry.IsRunning("1"));

        StopResult result = await restarted.Manager.StopAsync("1", StopSignal.SigTerm, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(StopOutcome.Graceful, result.Outcome);
        Assert.Equal(ExitStatus.Unknown, result.Exit); // not its child: the exit code belongs to the real parent
        Assert.False(restarted.ProcFs.IsAlive(original.Identity));
        Assert.False(File.Exists(original.PidFilePath));
    }

    [Fact]
    public async Task IsRunning_adopts_a_daemon_found_only_on_disk()
    {
        TrackedProcess original = await _h.StartAsync("1", _h.Spec("sleep", "1000"));
        await using ProcessesHarness restarted = _h.Restarted();

        Assert.Null(restarted.Registry.Get("1"));
        Assert.True(restarted.Registry.IsRunning("1"));

        TrackedProcess adopted = restarted.Registry.Get("1")!;
        Assert.True(adopted.LoadedFromDisk);
        Assert.Equal(original.Pid, adopted.Pid);
    }

    [Fact]
    public async Task An_adopted_daemon_that_dies_is_detected_through_its_pidfd()
    {
        TrackedProcess original = await _h.StartAsync("1", _h.Spec("sleep", "1000"));
        await using ProcessesHarness restarted = _h.Restarted();
        await restarted.StartMonitorAsync();
        TrackedProcess adopted = restarted.Registry.Get("1")!;

        LinuxNative.kill(original.Pid, LinuxNative.SIGKILL);

        await Poll.UntilAsync(() => adopted.HasExited, "the adopted daemon's exit to be detected");
        Assert.Equal(ExitStatus.Unknown, adopted.LastExit);
        // The exit is recorded first (under the entry's lock), the PID file deleted just after: on a busy machine the
        // test saw the file between the two (CI, PostgreSQL pass).
        await Poll.UntilAsync(() => !File.Exists(original.PidFilePath), "the adopted daemon's PID file to be removed");
    }

    [Fact]
    public async Task Cleanup_drops_exited_entries_from_memory_and_disk()
    {
        TrackedProcess running = await _h.StartAsync("1", _h.Spec("sleep", "1000"));
        TrackedProcess exited = await _h.StartAsync("2", _h.Spec("true"));
        await Poll.UntilAsync(() => _h.Registry.PollExit(exited) is not null, "server 2 to exit");

        Assert.Equal(1, _h.Registry.CleanupDead());

        Assert.Null(_h.Registry.Get("2"));
        Assert.Same(running, _h.Registry.Get("1"));
        Assert.True(_h.ProcFs.IsAlive(running.Identity));
    }

    [Fact]
    public async Task Force_cleanup_forgets_a_server_without_signalling_it()
    {
        TrackedProcess running = await _h.StartAsync("1", _h.Spec("sleep", "1000"));

        Assert.True(_h.Registry.ForceCleanup("1"));

        Assert.Null(_h.Registry.Get("1"));
        Assert.False(File.Exists(running.PidFilePath));
        Assert.True(_h.ProcFs.IsAlive(running.Identity));
    }

    private async Task<ProcessIdentity> ReadGrandchildAsync()
    {
        string file = _h.Dir.Combine("grandchild.pid");
        await Poll.UntilAsync(() => File.Exists(file) && File.ReadAllText(file).EndsWith('\n'), "the grandchild pid");
        int pid = int.Parse(File.ReadAllText(file).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        ProcessIdentity identity = _h.ProcFs.TryGetIdentity(pid)!;
        Assert.True(_h.ProcFs.IsAlive(identity));
        return identity;
    }
}
