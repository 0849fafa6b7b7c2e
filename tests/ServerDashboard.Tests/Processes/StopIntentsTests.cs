using System.Text.Json;
using ServerDashboard.Processes;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Tests.Processes;

/// <summary>
/// A stop-all records its stops in one durable stop-intent file (<c>run/&lt;guid&gt;.stops</c>) instead of rewriting every
/// PID file; a dashboard that dies mid-stop finds them when it re-adopts the daemons. Real processes, real files.
/// </summary>
public sealed class StopIntentsTests : IAsyncLifetime
{
    private readonly ProcessesHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private Task<TrackedProcess> StartAsync(string serverId) =>
        _h.StartAsync(serverId, _h.Spec("sleep", "1000") with
        {
            LogPath = _h.Dir.Combine("logs", serverId + ".log"),
            StdinFifoPath = _h.Dir.Combine("run", serverId + ".stdin"),
        });

    private string[] StopFiles() => Directory.GetFiles(_h.Store.RunDirectory, "*" + PidFileStore.StopIntentsExtension);

    [Fact]
    public async Task A_stop_all_writes_one_private_file_for_every_stop_and_leaves_the_PID_files_alone()
    {
        TrackedProcess[] entries = [await StartAsync("1"), await StartAsync("2"), await StartAsync("3")];
        string pidFileBefore = File.ReadAllText(entries[0].PidFilePath);

        int recorded = _h.Manager.RecordStopIntents(
            [("1", StopSignal.SigTerm, TimeSpan.FromSeconds(10)), ("2", StopSignal.SigInt, TimeSpan.FromSeconds(20)), ("3", StopSignal.SigTerm, TimeSpan.FromSeconds(30))]);

        Assert.Equal(3, recorded);
        string file = Assert.Single(StopFiles());
        Assert.Equal(LinuxNative.Mode0600, (uint)LinuxNative.TryStatNoFollow(file)!.Value.Permissions);
        Assert.Empty(Directory.GetFiles(_h.Store.RunDirectory, ".*.tmp"));
        Assert.Equal(pidFileBefore, File.ReadAllText(entries[0].PidFilePath));
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(file));
        Assert.Equal(_h.ProcFs.BootId, doc.RootElement.GetProperty("bootId").GetString());
        JsonElement second = doc.RootElement.GetProperty("stops").EnumerateArray().Single(s => s.GetProperty("serverId").GetInt32() == 2);
        Assert.Equal(entries[1].Pid, second.GetProperty("pid").GetInt32());
        Assert.Equal(entries[1].Identity.StartTime, second.GetProperty("processStartTime").GetUInt64());
        Assert.Equal(2, second.GetProperty("stopSignal").GetInt32());
        Assert.Equal(20.0, second.GetProperty("stopTimeoutSeconds").GetDouble());
        Assert.All(entries, e => Assert.NotNull(DaemonManager.PendingStop(e)));
    }

    [Fact]
    public async Task A_restarted_dashboard_carries_on_the_stops_of_a_stop_all_and_then_removes_the_file()
    {
        TrackedProcess first = await StartAsync("1");
        TrackedProcess second = await StartAsync("2");
        _h.Manager.RecordStopIntents([("1", StopSignal.SigInt, TimeSpan.FromSeconds(30)), ("2", StopSignal.SigTerm, TimeSpan.FromSeconds(30))]);
        await using ProcessesHarness restarted = _h.Restarted(); // the dashboard died before it signalled anything

        await restarted.Registry.LoadFromDiskAsync();

        TrackedProcess adopted = restarted.Registry.Get("1")!;
        Assert.Equal(first.Identity, adopted.Identity);
        Assert.Equal((StopSignal.SigInt, TimeSpan.FromSeconds(30)), DaemonManager.PendingStop(adopted));
        Assert.Equal(first.Record.StopRequestedAt, adopted.Record.StopRequestedAt); // the deadline counts from the original request
        Assert.Single(StopFiles());

        StopResult result = await restarted.Manager.StopAsync("1", StopSignal.SigTerm, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(StopOutcome.Graceful, result.Outcome);
        Assert.Single(restarted.Logs.LinesContaining("with SigInt, timeout")); // the recorded signal, not the caller's
        Assert.Single(restarted.Logs.LinesContaining("resuming a stop accepted before the dashboard restarted"));
        Assert.Single(StopFiles()); // server 2 still runs and its stop is still pending
        Assert.NotNull(DaemonManager.PendingStop(restarted.Registry.Get("2")!));

        await restarted.Manager.StopAsync("2", StopSignal.SigTerm, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.False(restarted.ProcFs.IsAlive(second.Identity));
        Assert.Empty(StopFiles());
    }

    [Fact]
    public async Task A_stop_intent_applies_only_to_the_process_it_names()
    {
        await StartAsync("1");
        TrackedProcess other = await StartAsync("2");
        _h.Manager.RecordStopIntents([("1", StopSignal.SigTerm, TimeSpan.FromSeconds(30)), ("2", StopSignal.SigTerm, TimeSpan.FromSeconds(30))]);
        await _h.Manager.KillAsync("1", CancellationToken.None);
        TrackedProcess again = await StartAsync("1"); // a new process of the same server, started after the stop

        await using ProcessesHarness restarted = _h.Restarted();
        await restarted.Registry.LoadFromDiskAsync();

        Assert.Equal(again.Identity, restarted.Registry.Get("1")!.Identity);
        Assert.Null(DaemonManager.PendingStop(restarted.Registry.Get("1")!));
        Assert.Equal(other.Identity, restarted.Registry.Get("2")!.Identity);
        Assert.NotNull(DaemonManager.PendingStop(restarted.Registry.Get("2")!));
    }

    [Fact]
    public async Task A_file_whose_processes_are_all_gone_is_removed_at_load()
    {
        await StartAsync("1");
        await StartAsync("2");
        _h.Manager.RecordStopIntents([("1", StopSignal.SigTerm, TimeSpan.FromSeconds(30)), ("2", StopSignal.SigTerm, TimeSpan.FromSeconds(30))]);
        string file = Assert.Single(StopFiles());
        string copy = file + ".keep";
        File.Copy(file, copy);
        await _h.Manager.KillAsync("1", CancellationToken.None);
        await _h.Manager.KillAsync("2", CancellationToken.None);
        Assert.Empty(StopFiles()); // removed once its last process exited
        File.Move(copy, file); // as if the dashboard had died before it could remove it

        await using ProcessesHarness restarted = _h.Restarted();
        await restarted.Registry.LoadFromDiskAsync();

        Assert.Empty(StopFiles());
    }

    [Fact]
    public async Task A_file_of_another_boot_is_removed_and_a_refused_one_is_left_alone()
    {
        _h.Store.EnsureRunDirectory();
        string stale = _h.Store.WriteStopIntents(new StopIntentBatch { BootId = "another-boot", StopRequestedAt = DateTimeOffset.UtcNow, Stops = [] });
        string refused = _h.Store.WriteStopIntents(new StopIntentBatch { BootId = _h.ProcFs.BootId, StopRequestedAt = DateTimeOffset.UtcNow, Stops = [] });
        LinuxNative.Chmod(refused, 0b110_100_100); // 0644: it could hold what others may not read

        await _h.Registry.LoadFromDiskAsync();

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(refused));
        Assert.Single(_h.Logs.LinesContaining("wider than 0600"));
    }

    [Fact]
    public void A_stop_intent_temp_file_left_by_a_crash_is_removed_at_load()
    {
        _h.Store.EnsureRunDirectory();
        File.WriteAllText(Path.Combine(_h.Store.RunDirectory, ".0123456789abcdef0123456789abcdef.stops.0123456789abcdef.tmp"), "{\"version\":1");

        Assert.Equal((0, 1), _h.Store.ExamineLeftoverTempFiles());
        Assert.Empty(Directory.GetFileSystemEntries(_h.Store.RunDirectory));
    }
}
