using ServerDashboard.Processes;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Tests.Processes;

public sealed class DaemonLauncherTests : IAsyncLifetime
{
    private readonly ProcessesHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_launched_daemon_leads_its_own_session_and_process_group()
    {
        LaunchedDaemon daemon = await _h.LaunchAsync(_h.Spec("sleep", "1000"));

        ProcStat stat = _h.ProcFs.TryReadStat(daemon.Pid)!;
        Assert.Equal(daemon.Pid, stat.SessionId);
        Assert.Equal(daemon.Pid, stat.ProcessGroupId);
        Assert.Equal(Environment.ProcessId, stat.ParentPid);
        Assert.Equal("/usr/bin/sleep", daemon.Exe);
        Assert.Equal(stat.StartTime, daemon.Identity.StartTime);
        Assert.True(_h.ProcFs.IsAlive(daemon.Identity));
    }

    [Fact]
    public async Task Its_stdout_and_stderr_are_appended_to_the_log_file()
    {
        DaemonSpec spec = _h.Spec("sh", "-c", "echo out-line; echo err-line >&2");
        File.WriteAllText(Directory.CreateDirectory(_h.Dir.Combine("logs")).FullName + "/server.log", "earlier\n");

        LaunchedDaemon daemon = await _h.LaunchAsync(spec);

        await Poll.UntilAsync(() => File.ReadAllText(spec.LogPath).Contains("err-line"), "both lines in the log");
        Assert.Equal(["earlier", "out-line", "err-line"], File.ReadAllLines(spec.LogPath));
        _ = daemon;
    }

    [Fact]
    public async Task A_line_written_to_the_stdin_fifo_reaches_the_daemon()
    {
        DaemonSpec spec = _h.Spec("sh", "-c", "read x; echo got:$x");
        await _h.LaunchAsync(spec);

        Assert.True(LinuxNative.TryStatNoFollow(spec.StdinFifoPath)!.Value.IsFifo);
        Assert.Equal(LinuxNative.Mode0600, (uint)LinuxNative.TryStatNoFollow(spec.StdinFifoPath)!.Value.Permissions);
        Assert.Equal(LinuxNative.Mode0700, (uint)LinuxNative.TryStatNoFollow(Path.GetDirectoryName(spec.StdinFifoPath)!, directory: true)!.Value.Permissions);
        // The daemon holds the FIFO open read-write, so opening it for writing does not block.
        await File.AppendAllTextAsync(spec.StdinFifoPath, "hello world\n");

        await Poll.UntilAsync(() => File.Exists(spec.LogPath) && File.ReadAllText(spec.LogPath).Contains("got:hello world"), "the echoed line");
    }

    [Fact]
    public async Task The_daemon_does_not_see_end_of_file_while_no_writer_is_attached()
    {
        DaemonSpec spec = _h.Spec("sh", "-c", "while read x; do echo got:$x; done; echo EOF");
        LaunchedDaemon daemon = await _h.LaunchAsync(spec);

        await File.AppendAllTextAsync(spec.StdinFifoPath, "one\n"); // open, write, close: the last writer goes away
        await Poll.UntilAsync(() => File.Exists(spec.LogPath) && File.ReadAllText(spec.LogPath).Contains("got:one"), "first line");
        await File.AppendAllTextAsync(spec.StdinFifoPath, "two\n");
        await Poll.UntilAsync(() => File.ReadAllText(spec.LogPath).Contains("got:two"), "second line");

        Assert.DoesNotContain("EOF", File.ReadAllText(spec.LogPath));
        Assert.True(_h.ProcFs.IsAlive(daemon.Identity));
    }

    [Fact]
    public async Task The_environment_is_exactly_the_one_given()
    {
        var env = new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin", ["GAME_MODE"] = "coop", ["EMPTY"] = "" };
        DaemonSpec spec = _h.Spec("env") with { Environment = env };

        await _h.LaunchAsync(spec);

        await Poll.UntilAsync(() => File.Exists(spec.LogPath) && File.ReadAllLines(spec.LogPath).Length == 3, "env output");
        Assert.Equal(["EMPTY=", "GAME_MODE=coop", "PATH=/usr/bin:/bin"], File.ReadAllLines(spec.LogPath).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_working_directory_is_the_one_given()
    {
        string cwd = Directory.CreateDirectory(_h.Dir.Combine("game dir")).FullName;
        DaemonSpec spec = _h.Spec("sh", "-c", "pwd; exec sleep 1000") with { WorkingDirectory = cwd };

        LaunchedDaemon daemon = await _h.LaunchAsync(spec);

        await Poll.UntilAsync(() => File.Exists(spec.LogPath) && File.ReadAllText(spec.LogPath).Length > 0, "pwd output");
        Assert.Equal(cwd, File.ReadAllText(spec.LogPath).Trim());
        await Poll.UntilAsync(() => _h.ProcFs.TryReadExe(daemon.Pid) == "/usr/bin/sleep", "exec sleep");
        Assert.Equal(cwd, _h.ProcFs.TryReadCwd(daemon.Pid));
    }

    [Fact]
    public async Task No_dashboard_file_descriptor_leaks_into_the_daemon()
    {
        // An fd without O_CLOEXEC, as a careless library might leave: addclosefrom_np(3) must still close it.
        int leaky = LinuxNative.open(_h.Dir.Combine("leaky"), LinuxNative.O_RDWR | LinuxNative.O_CREAT, LinuxNative.Mode0600);
        Assert.True(leaky > 2);
        try
        {
            LaunchedDaemon daemon = await _h.LaunchAsync(_h.Spec("sleep", "1000"));
            // While starting up, the dynamic loader briefly opens shared libraries as fd 3: look once sleep is asleep.
            await Poll.UntilAsync(() => File.ReadAllText($"/proc/{daemon.Pid}/wchan") is "hrtimer_nanosleep" or "do_nanosleep", "sleep to be in nanosleep");

            string[] fds = Directory.GetFileSystemEntries($"/proc/{daemon.Pid}/fd").Select(Path.GetFileName).Order().ToArray()!;
            Assert.Equal(["0", "1", "2"], fds);
            Assert.Equal(_h.Spec().StdinFifoPath, new FileInfo($"/proc/{daemon.Pid}/fd/0").LinkTarget);
            Assert.Equal(_h.Spec().LogPath, new FileInfo($"/proc/{daemon.Pid}/fd/1").LinkTarget);
            Assert.Equal(_h.Spec().LogPath, new FileInfo($"/proc/{daemon.Pid}/fd/2").LinkTarget);
        }
        finally
        {
            LinuxNative.close(leaky);
        }
    }

    [Fact]
    public async Task The_daemon_starts_with_default_signal_dispositions_and_an_empty_mask()
    {
        LaunchedDaemon daemon = await _h.LaunchAsync(_h.Spec("sleep", "1000"));

        string[] status = File.ReadAllLines($"/proc/{daemon.Pid}/status");
        Assert.Contains("SigBlk:\t0000000000000000", status);
        Assert.Contains("SigIgn:\t0000000000000000", status);
    }

    [Fact]
    public async Task A_bare_program_name_is_resolved_on_the_given_PATH_and_recorded_absolute()
    {
        LaunchedDaemon daemon = await _h.LaunchAsync(_h.Spec("sleep", "1000"));

        Assert.Equal(["/usr/bin/sleep", "1000"], daemon.ProgramArgv);
        Assert.Equal(daemon.ProgramArgv, _h.ProcFs.TryReadCmdline(daemon.Pid));
    }

    [Fact]
    public async Task A_program_missing_from_PATH_is_refused_with_a_clear_message()
    {
        var e = await Assert.ThrowsAsync<DaemonLaunchException>(() => _h.LaunchAsync(_h.Spec("no-such-game-server", "-x")));

        Assert.Equal("'no-such-game-server' not found on PATH (/usr/bin:/bin)", e.Message);
    }

    [Fact]
    public async Task A_file_without_execute_permission_is_refused_with_a_clear_message()
    {
        string script = _h.Dir.Combine("server.sh");
        File.WriteAllText(script, "#!/bin/sh\nsleep 1000\n");

        var e = await Assert.ThrowsAsync<DaemonLaunchException>(() => _h.LaunchAsync(_h.Spec("./server.sh")));

        Assert.Equal($"'{script}' is not executable (check its mode: chmod +x)", e.Message);
    }

    [Fact]
    public async Task A_missing_working_directory_is_refused_before_spawning()
    {
        var e = await Assert.ThrowsAsync<DaemonLaunchException>(() => _h.LaunchAsync(_h.Spec("sleep", "1") with { WorkingDirectory = "/nonexistent/dir" }));

        Assert.Contains("/nonexistent/dir", e.Message);
    }

    [Fact]
    public async Task Resource_limits_are_applied_without_changing_the_pid()
    {
        DaemonSpec spec = _h.Spec("sleep", "1000") with { Limits = new ResourceLimits(MaxOpenFiles: 123, MaxMemoryMb: 512) };

        LaunchedDaemon daemon = await _h.LaunchAsync(spec);

        Assert.Equal("/usr/bin/prlimit", daemon.SpawnedArgv[0]);
        Assert.Equal("/usr/bin/sleep", daemon.Exe);
        Assert.Equal("/usr/bin/sleep", _h.ProcFs.TryReadExe(daemon.Pid));
        Assert.Equal(["/usr/bin/sleep", "1000"], _h.ProcFs.TryReadCmdline(daemon.Pid));
        string limits = File.ReadAllText($"/proc/{daemon.Pid}/limits");
        Assert.Matches(@"Max open files\s+123\s+123\s+files", limits);
        Assert.Matches(@$"Max address space\s+{512L * 1024 * 1024}\s+{512L * 1024 * 1024}\s+bytes", limits);
        Assert.Equal(daemon.Pid, _h.ProcFs.TryReadStat(daemon.Pid)!.SessionId);
    }

    [Fact]
    public async Task A_daemon_can_run_as_another_user_without_changing_the_pid()
    {
        DaemonSpec spec = _h.Spec("sleep", "1000") with { RunAsUser = "nobody", Limits = new ResourceLimits(MaxOpenFiles: 64) };

        LaunchedDaemon daemon = await _h.LaunchAsync(spec);

        Assert.Equal("/usr/bin/sleep", daemon.Exe);
        string[] status = File.ReadAllLines($"/proc/{daemon.Pid}/status");
        Assert.Contains(status, l => l.StartsWith("Uid:\t65534\t65534\t65534", StringComparison.Ordinal));
        Assert.Contains(status, l => l.StartsWith("Gid:\t65534\t65534\t65534", StringComparison.Ordinal));
        Assert.Matches(@"Max open files\s+64\s+64", File.ReadAllText($"/proc/{daemon.Pid}/limits"));
    }

    [Fact]
    public async Task An_unknown_run_as_user_is_refused_before_spawning()
    {
        var e = await Assert.ThrowsAsync<DaemonLaunchException>(() => _h.LaunchAsync(_h.Spec("sleep", "1") with { RunAsUser = "no-such-user-xyz" }));

        Assert.Equal("cannot run as 'no-such-user-xyz': no such user", e.Message);
    }
}
