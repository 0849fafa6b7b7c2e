using ServerDashboard.Processes;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Tests.Processes;

/// <summary>
/// Exits are noticed through the daemons' pidfds by one thread in poll(2), not by the periodic poll: with that poll set to
/// an hour, an exit is still recorded (and our child reaped), for our own children and for adopted daemons.
/// </summary>
public sealed class PidfdExitWatcherTests : IAsyncLifetime
{
    private static readonly Action<ProcessOptions> NoPeriodicPoll = o => o.ExitPollInterval = TimeSpan.FromHours(1);

    private readonly ProcessesHarness _h = new(NoPeriodicPoll);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Our_childs_exit_is_recorded_with_its_code_and_reaped_without_the_periodic_poll()
    {
        await _h.StartMonitorAsync();
        TrackedProcess entry = await _h.StartAsync("1", _h.Spec("sh", "-c", "sleep 0.3; exit 7"));

        await Poll.UntilAsync(() => entry.HasExited, "the exit to be recorded through the pidfd");

        Assert.Equal(new ExitStatus(ExitKind.Code, Code: 7), entry.LastExit);
        Assert.Null(_h.ProcFs.TryReadStat(entry.Pid)); // reaped: no zombie left
        // The exit is marked first, then the PID file goes (on the watcher's thread): wait for it rather than race it.
        await Poll.UntilAsync(() => !File.Exists(entry.PidFilePath), "the PID file to be deleted");
        Assert.True(entry.Exited.IsCompleted);
    }

    [Fact]
    public async Task Daemons_started_after_the_watcher_and_several_exits_at_once_are_all_seen()
    {
        await _h.StartMonitorAsync();
        var entries = new List<TrackedProcess>();
        for (int i = 1; i <= 5; i++)
        {
            entries.Add(await _h.StartAsync(i.ToString(System.Globalization.CultureInfo.InvariantCulture), _h.Spec("sleep", "1000")));
        }

        foreach (TrackedProcess entry in entries)
        {
            LinuxNative.kill(entry.Pid, LinuxNative.SIGTERM);
        }

        await Poll.UntilAsync(() => entries.All(e => e.HasExited), "every exit to be recorded");
        Assert.All(entries, e => Assert.Equal(new ExitStatus(ExitKind.Signal, Signal: LinuxNative.SIGTERM), e.LastExit));
    }

    [Fact]
    public async Task An_adopted_daemons_exit_is_seen_without_the_periodic_poll()
    {
        TrackedProcess original = await _h.StartAsync("1", _h.Spec("sleep", "1000"));
        await using ProcessesHarness restarted = _h.Restarted(NoPeriodicPoll);
        await restarted.StartMonitorAsync();
        TrackedProcess adopted = restarted.Registry.Get("1")!;
        Assert.True(adopted.LoadedFromDisk);

        LinuxNative.kill(original.Pid, LinuxNative.SIGKILL);

        await Poll.UntilAsync(() => adopted.HasExited, "the adopted daemon's exit to be recorded through its pidfd");
        Assert.Equal(ExitStatus.Unknown, adopted.LastExit);
    }
}
