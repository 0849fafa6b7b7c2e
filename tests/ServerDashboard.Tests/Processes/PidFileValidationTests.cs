using System.Text.Json;
using ServerDashboard.Processes;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Tests.Processes;

public sealed class PidFileValidationTests : IAsyncLifetime
{
    private const string Id = "42";
    private readonly ProcessesHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private string PidFile => _h.Dir.Combine("run", Id + ".pid");

    public static TheoryData<string, PidFileOutcome, bool> MalformedFiles => new()
    {
        // case, expected outcome, file still there afterwards
        { "empty", PidFileOutcome.Unparsable, false },
        { "whitespace only", PidFileOutcome.Unparsable, false },
        { "garbage", PidFileOutcome.Unparsable, false },
        { "negative number", PidFileOutcome.Unparsable, false },
        { "legacy number of a dead pid", PidFileOutcome.ProcessGone, false },
        { "legacy number of a live foreign pid", PidFileOutcome.Unverifiable, true },
        { "huge file", PidFileOutcome.Refused, true },
        { "symlink", PidFileOutcome.Refused, true },
        { "mode 0644", PidFileOutcome.Refused, true },
        { "another owner", PidFileOutcome.Refused, true },
        { "truncated JSON", PidFileOutcome.Unparsable, false },
        { "JSON for another server", PidFileOutcome.Unparsable, false },
        { "wrong boot id", PidFileOutcome.BootIdChanged, false },
        { "start time of another process", PidFileOutcome.PidReused, false },
        { "another executable", PidFileOutcome.ProgramChanged, false },
        { "unreaped exited child", PidFileOutcome.Zombie, false },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public async Task A_bad_PID_file_never_crashes_the_loader_and_is_handled_and_logged(string kind, PidFileOutcome expected, bool kept)
    {
        LaunchedDaemon foreign = await _h.LaunchAsync(_h.Spec("sleep", "1000"));
        await WriteCaseAsync(kind, foreign);

        PidFileLoadSummary summary = await _h.Registry.LoadFromDiskAsync();

        PidFileValidation verdict = Assert.Single(summary.Validations);
        Assert.Equal(expected, verdict.Outcome);
        Assert.Equal(kept, File.Exists(PidFile) || new FileInfo(PidFile).LinkTarget is not null);
        Assert.Empty(_h.Registry.Entries);
        Assert.Equal((0, kept ? 0 : 1, kept ? 1 : 0), (summary.Loaded, summary.Cleaned, summary.Kept));
        string line = Assert.Single(_h.Logs.LinesContaining($"PID file check: server {Id}, pid "));
        Assert.Contains($": {expected} - ", line);
        Assert.Single(_h.Logs.LinesContaining("PID file loading complete: loaded=0, cleaned="));
        // Whatever the file said, the live process it may have named was not signalled.
        Assert.True(_h.ProcFs.IsAlive(foreign.Identity), "the foreign process must survive");
    }

    [Fact]
    public async Task A_PID_file_naming_a_reused_pid_is_removed_and_the_foreign_process_is_never_signalled()
    {
        LaunchedDaemon foreign = await _h.LaunchAsync(_h.Spec("sleep", "1000"));
        _h.Store.Write(Record(foreign) with { ProcessStartTime = foreign.Identity.StartTime - 1 });

        Assert.False(_h.Registry.IsRunning(Id));
        StopResult stop = await _h.Manager.StopAsync(Id, StopSignal.SigTerm, TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.Equal(StopOutcome.NotRunning, stop.Outcome);
        Assert.False(File.Exists(PidFile));
        Assert.Contains(_h.Logs.Lines, l => l.Contains($"server {Id}, pid {foreign.Pid}: PidReused - pid now belongs to another process 'sleep'"));
        Assert.True(_h.ProcFs.IsAlive(foreign.Identity));
        // Never signalled: neither stopped nor dead. (Sleeping or, for a moment when the scheduler runs it, running: CI saw 'R'.)
        Assert.DoesNotContain(_h.ProcFs.TryReadStat(foreign.Pid)!.State, "TtZX");
    }

    [Fact]
    public async Task A_process_matching_pid_start_time_and_exe_but_not_leading_its_session_is_never_adopted()
    {
        // What a pid reused within the clock tick of the daemon's start looks like: every fact the file holds matches
        // (start time counts 10 ms ticks), but this process was not started by the dashboard, so it leads no session.
        using var foreign = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/usr/bin/sleep", "1000") { UseShellExecute = false })!;
        try
        {
            ProcStat stat = _h.ProcFs.TryReadStat(foreign.Id)!;
            Assert.NotEqual(foreign.Id, stat.SessionId);
            _h.Store.Write(new PidFileRecord
            {
                Pid = foreign.Id, ServerId = Id, Cmd = ["/usr/bin/sleep", "1000"], Cwd = Environment.CurrentDirectory,
                ProcessStartTime = stat.StartTime, BootId = _h.ProcFs.BootId, Exe = "/usr/bin/sleep", CreatedAt = DateTimeOffset.UtcNow,
            });

            PidFileLoadSummary summary = await _h.Registry.LoadFromDiskAsync();

            Assert.Equal(PidFileOutcome.PidReused, Assert.Single(summary.Validations).Outcome);
            Assert.Equal(0, summary.Loaded);
            Assert.Single(_h.Logs.LinesContaining($"does not lead session {foreign.Id} as the daemon did"));
            Assert.False(File.Exists(PidFile));
            Assert.False(foreign.HasExited, "never signalled");
        }
        finally
        {
            foreign.Kill();
            await foreign.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task A_valid_PID_file_is_adopted_and_the_load_is_summarised()
    {
        LaunchedDaemon daemon = await _h.LaunchAsync(_h.Spec("sleep", "1000"));
        _h.Store.Write(Record(daemon));

        PidFileLoadSummary summary = await _h.Registry.LoadFromDiskAsync();

        Assert.Equal((1, 0, 0), (summary.Loaded, summary.Cleaned, summary.Kept));
        TrackedProcess entry = _h.Registry.Get(Id)!;
        Assert.True(entry.LoadedFromDisk);
        Assert.Equal(daemon.Identity, entry.Identity);
        Assert.Single(_h.Logs.LinesContaining("PID file loading complete: loaded=1, cleaned=0"));
        Assert.Single(_h.Logs.LinesContaining($"server {Id}, pid {daemon.Pid}: Valid - process alive (/usr/bin/sleep), identity verified"));
    }

    [Fact]
    public async Task The_expected_command_is_looked_up_only_for_a_file_that_cannot_prove_identity_itself()
    {
        LaunchedDaemon current = await _h.LaunchAsync(_h.Spec("sleep", "1000"));
        _h.Store.Write(Record(current));
        var asked = new List<string>();

        PidFileLoadSummary summary = await _h.Registry.LoadFromDiskAsync(id => { asked.Add(id); return null; });

        Assert.Equal(1, summary.Loaded);
        // Start time and boot id prove it: no lookup (a database query per server at start-up). A legacy file does ask
        // (the next test adopts one only through the expected command).
        Assert.Empty(asked);
    }

    [Fact]
    public async Task A_legacy_file_is_adopted_when_the_expected_command_matches_and_is_upgraded()
    {
        LaunchedDaemon daemon = await _h.LaunchAsync(_h.Spec("sleep", "1000"));
        WriteRaw(daemon.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

        PidFileLoadSummary summary = await _h.Registry.LoadFromDiskAsync(id => id == Id ? new ExpectedProcess(["sleep", "1000"]) : null);

        Assert.Equal(1, summary.Loaded);
        Assert.Equal(daemon.Identity, _h.Registry.Get(Id)!.Identity);
        PidFileRecord upgraded = _h.Store.Read(Id).Record!;
        Assert.False(upgraded.IsLegacy);
        Assert.Equal(daemon.Identity.StartTime, upgraded.ProcessStartTime);
        Assert.Equal(["/usr/bin/sleep", "1000"], upgraded.Cmd);
    }

    [Fact]
    public async Task A_legacy_file_naming_another_command_is_removed_without_touching_that_process()
    {
        LaunchedDaemon daemon = await _h.LaunchAsync(_h.Spec("sleep", "1000"));
        WriteRaw(daemon.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

        PidFileLoadSummary summary = await _h.Registry.LoadFromDiskAsync(_ => new ExpectedProcess(["java", "-jar", "server.jar"]));

        Assert.Equal(PidFileOutcome.ProgramChanged, Assert.Single(summary.Validations).Outcome);
        Assert.False(File.Exists(PidFile));
        Assert.True(_h.ProcFs.IsAlive(daemon.Identity));
    }

    [Fact]
    public async Task A_server_whose_PID_file_cannot_be_verified_is_not_started_twice()
    {
        LaunchedDaemon maybeOurs = await _h.LaunchAsync(_h.Spec("sleep", "1000"));
        WriteRaw(maybeOurs.Pid + "\n");

        var e = await Assert.ThrowsAsync<DaemonLaunchException>(() => _h.StartAsync(Id, _h.Spec("sleep", "1000")));

        Assert.Contains("has a PID file that could not be verified", e.Message);
        Assert.Equal(maybeOurs.Pid + "\n", File.ReadAllText(PidFile));
        Assert.True(_h.Registry.ForceCleanup(Id));
        TrackedProcess started = await _h.StartAsync(Id, _h.Spec("sleep", "1000"));
        Assert.NotEqual(maybeOurs.Pid, started.Pid);
    }

    private PidFileRecord Record(LaunchedDaemon daemon) => new()
    {
        Pid = daemon.Pid,
        ServerId = Id,
        Cmd = daemon.ProgramArgv,
        Cwd = daemon.WorkingDirectory,
        ProcessStartTime = daemon.Identity.StartTime,
        BootId = daemon.Identity.BootId,
        Exe = daemon.Exe,
        CreatedAt = DateTimeOffset.UtcNow,
    };

    private void WriteRaw(string content, uint mode = LinuxNative.Mode0600)
    {
        _h.Store.EnsureRunDirectory();
        File.WriteAllText(PidFile, content);
        LinuxNative.Chmod(PidFile, mode);
    }

    private async Task WriteCaseAsync(string kind, LaunchedDaemon foreign)
    {
        string json = JsonSerializer.Serialize(new { version = 1, pid = foreign.Pid, serverId = 42, cmd = foreign.ProgramArgv,
            processStartTime = foreign.Identity.StartTime, bootId = foreign.Identity.BootId, exe = foreign.Exe });
        switch (kind)
        {
            case "empty": WriteRaw(""); break;
            case "whitespace only": WriteRaw(" \n\t\n"); break;
            case "garbage": WriteRaw("hello, I am not a pid file\n"); break;
            case "negative number": WriteRaw("-5\n"); break;
            case "legacy number of a dead pid":
                LaunchedDaemon dead = await _h.LaunchAsync(_h.Spec("true"));
                ProcessesHarness.KillAndReap(dead.Pid);
                WriteRaw(dead.Pid + "\n");
                break;
            case "legacy number of a live foreign pid": WriteRaw(foreign.Pid + "\n"); break;
            case "huge file": WriteRaw(foreign.Pid + new string(' ', 100_000)); break;
            case "symlink":
                string target = _h.Dir.Combine("elsewhere.pid");
                File.WriteAllText(target, json);
                LinuxNative.Chmod(target, LinuxNative.Mode0600);
                _h.Store.EnsureRunDirectory();
                File.CreateSymbolicLink(PidFile, target);
                break;
            case "mode 0644": WriteRaw(json, 0x1A4); break;
            case "another owner":
                WriteRaw(json);
                Assert.Equal(0, Chown(PidFile, 65534, 65534));
                break;
            case "truncated JSON": WriteRaw(json[..(json.Length / 2)]); break;
            case "JSON for another server": WriteRaw(json.Replace("\"serverId\":42", "\"serverId\":43")); break;
            case "wrong boot id": WriteRaw(json.Replace(foreign.Identity.BootId, Guid.NewGuid().ToString())); break;
            case "start time of another process":
                WriteRaw(json.Replace($"\"processStartTime\":{foreign.Identity.StartTime}", $"\"processStartTime\":{foreign.Identity.StartTime + 7}"));
                break;
            case "another executable": WriteRaw(json.Replace("\"exe\":\"/usr/bin/sleep\"", "\"exe\":\"/usr/bin/other\"")); break;
            case "unreaped exited child":
                LaunchedDaemon exited = await _h.LaunchAsync(_h.Spec("true"));
                await Poll.UntilAsync(() => _h.ProcFs.TryReadStat(exited.Pid)?.State == 'Z', "the child to become a zombie");
                _h.Store.Write(Record(exited));
                break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    // chown(2) through File APIs is not exposed; the test runs as root so it may give the file away.
    private static int Chown(string path, int uid, int gid) => Native.chown(path, uid, gid);

    private static class Native
    {
        // DllImport, not LibraryImport: the test project does not allow unsafe code.
        [System.Runtime.InteropServices.DllImport("libc")]
        public static extern int chown(string path, int uid, int gid);
    }
}
