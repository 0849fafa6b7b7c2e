using System.Text.Json;
using ServerDashboard.Processes;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Tests.Processes;

public sealed class PidFileStoreTests : IAsyncLifetime
{
    private readonly ProcessesHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_started_server_gets_a_PID_file_with_every_field_mode_0600_in_a_0700_directory()
    {
        TrackedProcess entry = await _h.StartAsync("42", _h.Spec("sleep", "1000"), port: 27015);

        string path = _h.Dir.Combine("run", "42.pid");
        Assert.Equal(path, entry.PidFilePath);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement root = doc.RootElement;
        string[] expected = ["version", "pid", "serverId", "name", "port", "cmd", "cwd", "rconPort", "rconPassword", "createdAt",
            "processStartTime", "bootId", "exe", "dashboardVersion", "logPath", "stdinPath", "launchId", "cgroup"];
        Assert.Equal(expected.Order(), root.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.Equal(entry.Pid, root.GetProperty("pid").GetInt32());
        Assert.Equal(JsonValueKind.Number, root.GetProperty("serverId").ValueKind);
        Assert.Equal(42, root.GetProperty("serverId").GetInt32());
        Assert.Equal("Server 42", root.GetProperty("name").GetString());
        Assert.Equal(27015, root.GetProperty("port").GetInt32());
        Assert.Equal(["/usr/bin/sleep", "1000"], root.GetProperty("cmd").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(_h.Dir.Path, root.GetProperty("cwd").GetString());
        Assert.Equal(27020, root.GetProperty("rconPort").GetInt32());
        Assert.Equal("s3cret", root.GetProperty("rconPassword").GetString());
        Assert.EndsWith("+00:00", root.GetProperty("createdAt").GetString());
        Assert.Equal(entry.Identity.StartTime, root.GetProperty("processStartTime").GetUInt64());
        Assert.Equal(_h.ProcFs.BootId, root.GetProperty("bootId").GetString());
        Assert.Equal("/usr/bin/sleep", root.GetProperty("exe").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("dashboardVersion").GetString()));

        Assert.Equal(LinuxNative.Mode0600, (uint)LinuxNative.TryStatNoFollow(path)!.Value.Permissions);
        Assert.Equal(LinuxNative.Mode0700, (uint)LinuxNative.TryStatNoFollow(_h.Dir.Combine("run"), directory: true)!.Value.Permissions);
    }

    [Fact]
    public void Writing_leaves_no_temporary_file_and_overwrites_atomically()
    {
        var record = new PidFileRecord { Pid = 1234, ServerId = "7", Cmd = ["/bin/true"] };

        _h.Store.Write(record);
        _h.Store.Write(record with { Pid = 5678 });

        Assert.Equal(["7.pid"], Directory.GetFileSystemEntries(_h.Store.RunDirectory).Select(Path.GetFileName));
        Assert.Equal(5678, _h.Store.Read("7").Record!.Pid);
    }

    [Fact]
    public void A_stop_intent_file_is_written_private_and_complete_with_no_temporary_file_and_reads_back()
    {
        _h.Store.Write(new PidFileRecord { Pid = 1111, ServerId = "1" });
        var batch = new StopIntentBatch
        {
            BootId = _h.ProcFs.BootId,
            StopRequestedAt = DateTimeOffset.UtcNow,
            Stops = [new StopIntentEntry { ServerId = "1", Pid = 1111, ProcessStartTime = 42, StopSignal = 15, StopTimeoutSeconds = 10 }],
        };

        string path = _h.Store.WriteStopIntents(batch);

        Assert.EndsWith(PidFileStore.StopIntentsExtension, path, StringComparison.Ordinal);
        Assert.Equal(new[] { "1.pid", Path.GetFileName(path) }.Order(StringComparer.Ordinal),
            Directory.GetFileSystemEntries(_h.Store.RunDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(LinuxNative.Mode0600, (uint)LinuxNative.TryStatNoFollow(path, directory: false)!.Value.Permissions);
        (string readPath, StopIntentBatch? read, _) = Assert.Single(_h.Store.ReadStopIntents());
        Assert.Equal(path, readPath);
        Assert.Equal(batch.StopRequestedAt, read!.StopRequestedAt);
        Assert.Equal(batch.Stops, read.Stops);
        Assert.Equal(["1"], _h.Store.ListServerIds()); // not a PID file
    }

    [Fact]
    public async Task Concurrent_writes_sharing_directory_fsyncs_each_land_complete()
    {
        await Task.WhenAll(Enumerable.Range(1, 16).Select(i => Task.Run(() =>
            _h.Store.Write(new PidFileRecord { Pid = 1000 + i, ServerId = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }))));

        Assert.Equal(16, Directory.GetFileSystemEntries(_h.Store.RunDirectory).Length);
        Assert.All(Enumerable.Range(1, 16), i => Assert.Equal(1000 + i, _h.Store.Read(i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Record!.Pid));
    }

    [Fact]
    public void A_legacy_file_holding_just_a_number_is_read()
    {
        _h.Store.EnsureRunDirectory();
        string path = _h.Store.PathFor("9");
        File.WriteAllText(path, "  31337\n");
        LinuxNative.Chmod(path, LinuxNative.Mode0600);

        PidFileReadResult read = _h.Store.Read("9");

        Assert.Equal(PidFileReadStatus.Legacy, read.Status);
        Assert.Equal(31337, read.Record!.Pid);
        Assert.True(read.Record.IsLegacy);
        Assert.Null(read.Record.TryGetIdentity());
    }

    [Fact]
    public void A_string_server_id_is_tolerated_when_reading()
    {
        _h.Store.EnsureRunDirectory();
        string path = _h.Store.PathFor("12");
        File.WriteAllText(path, """{"version":1,"pid":999,"serverId":"12","cmd":[]}""");
        LinuxNative.Chmod(path, LinuxNative.Mode0600);

        Assert.Equal("12", _h.Store.Read("12").Record!.ServerId);
    }

    [Fact]
    public void A_run_directory_with_a_wider_mode_is_narrowed_to_0700()
    {
        Directory.CreateDirectory(_h.Store.RunDirectory);
        LinuxNative.Chmod(_h.Store.RunDirectory, 0x1ED); // 0755

        _h.Store.EnsureRunDirectory();

        Assert.Equal(LinuxNative.Mode0700, (uint)LinuxNative.TryStatNoFollow(_h.Store.RunDirectory, directory: true)!.Value.Permissions);
        Assert.Single(_h.Logs.LinesContaining("narrowing it to 0700"));
    }

    [Fact]
    public void A_server_id_that_is_not_a_safe_file_name_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => _h.Store.PathFor("../etc/passwd"));
    }

    [Fact]
    public void Leftover_temporary_files_that_hold_no_complete_record_are_removed_at_load()
    {
        _h.Store.EnsureRunDirectory();
        File.WriteAllText(Path.Combine(_h.Store.RunDirectory, ".5.pid.0123456789abcdef.tmp"), "{");

        Assert.Equal((0, 1), _h.Store.ExamineLeftoverTempFiles());
        Assert.Empty(Directory.GetFileSystemEntries(_h.Store.RunDirectory));
    }

    [Fact]
    public void A_leftover_temporary_file_with_a_complete_record_and_no_PID_file_is_finished_not_deleted()
    {
        _h.Store.Write(new PidFileRecord { Pid = 4242, ServerId = "5", Cmd = ["/bin/sleep", "1000"] });
        string temp = Path.Combine(_h.Store.RunDirectory, ".5.pid.0123456789abcdef.tmp");
        File.Move(_h.Store.PathFor("5"), temp); // as if the dashboard died between fsync and rename

        Assert.Equal((1, 0), _h.Store.ExamineLeftoverTempFiles());

        Assert.Equal(4242, _h.Store.Read("5").Record!.Pid);
        Assert.False(File.Exists(temp));
    }
}
