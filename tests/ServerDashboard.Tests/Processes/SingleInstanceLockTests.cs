using System.Text.Json;
using System.Text.RegularExpressions;
using ServerDashboard.Processes;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Tests.Processes;

public sealed class SingleInstanceLockTests : IAsyncLifetime
{
    private readonly ProcessesHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private string LockPath => _h.Dir.Combine(SingleInstanceLock.FileName);

    [Fact]
    public void A_second_acquire_on_the_same_directory_names_the_holder_and_the_path()
    {
        using SingleInstanceLock first = SingleInstanceLock.Acquire(_h.Dir.Path, ["http://127.0.0.1:5000"], "1.2.3");

        var e = Assert.Throws<DashboardAlreadyRunningException>(() => SingleInstanceLock.Acquire(_h.Dir.Path, [], "1.2.3"));

        Assert.Matches(
            new Regex($@"^another ServerDashboard \(pid {Environment.ProcessId}, since \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ, at http://127\.0\.0\.1:5000\) holds {Regex.Escape(LockPath)}$"),
            e.Message);
        Assert.Equal(Environment.ProcessId, e.Holder!.Pid);
    }

    [Fact]
    public void After_the_holder_releases_it_the_lock_can_be_acquired_again()
    {
        SingleInstanceLock first = SingleInstanceLock.Acquire(_h.Dir.Path, [], "1");
        first.Dispose();

        using SingleInstanceLock second = SingleInstanceLock.Acquire(_h.Dir.Path, [], "1");

        Assert.Equal(LockPath, second.Path);
    }

    [Fact]
    public void The_lock_file_holds_pid_start_urls_and_version_and_urls_can_be_updated()
    {
        using SingleInstanceLock held = SingleInstanceLock.Acquire(_h.Dir.Path, ["http://localhost:0"], "0.1.0");

        held.UpdateUrls(["http://127.0.0.1:5123", "https://127.0.0.1:5124"]);

        // Not File.ReadAllText: .NET's FileStream takes a shared flock of its own and would fail on the held file.
        using JsonDocument doc = JsonDocument.Parse(RawRead(LockPath));
        Assert.Equal(Environment.ProcessId, doc.RootElement.GetProperty("pid").GetInt32());
        Assert.Equal(["http://127.0.0.1:5123", "https://127.0.0.1:5124"], doc.RootElement.GetProperty("urls").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal("0.1.0", doc.RootElement.GetProperty("version").GetString());
        Assert.True(doc.RootElement.GetProperty("startedAt").GetDateTimeOffset() <= DateTimeOffset.UtcNow);
    }

    private static byte[] RawRead(string path)
    {
        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(LinuxNative.open(path, LinuxNative.O_RDONLY | LinuxNative.O_CLOEXEC, 0), ownsHandle: true);
        return SingleInstanceLock.ReadAll(handle);
    }

    [Fact]
    public void The_status_reader_tells_whether_the_lock_is_held_and_by_whom()
    {
        var reader = new LockFileReader();
        Assert.False(reader.TryRead(_h.Dir.Path).Exists);

        LockFileStatus held;
        using (SingleInstanceLock.Acquire(_h.Dir.Path, ["http://127.0.0.1:5000"], "1"))
        {
            held = reader.TryRead(_h.Dir.Path);
        }

        LockFileStatus released = reader.TryRead(_h.Dir.Path);
        Assert.True(held.IsHeld);
        Assert.Equal(Environment.ProcessId, held.Holder!.Pid);
        Assert.True(released.Exists);
        Assert.False(released.IsHeld);
    }

    [Fact]
    public void Garbage_in_a_held_lock_file_still_gives_a_readable_refusal()
    {
        File.WriteAllText(LockPath, "\u0001not json{{{");
        // A holder that never wrote its JSON: a bare flock on its own open file description.
        int fd = LinuxNative.open(LockPath, LinuxNative.O_RDWR | LinuxNative.O_CLOEXEC, 0);
        Assert.Equal(0, LinuxNative.flock(fd, LinuxNative.LOCK_EX | LinuxNative.LOCK_NB));
        try
        {
            var e = Assert.Throws<DashboardAlreadyRunningException>(() => SingleInstanceLock.Acquire(_h.Dir.Path, [], "1"));

            Assert.Equal($"another ServerDashboard (pid unknown, since unknown, at unknown URL) holds {LockPath}", e.Message);
            Assert.Null(e.Holder);
        }
        finally
        {
            LinuxNative.close(fd);
        }
    }

    [Fact]
    public async Task A_lock_held_by_another_process_blocks_until_that_process_is_killed()
    {
        LaunchedDaemon flock = await _h.LaunchAsync(_h.Spec("flock", "-n", LockPath, "sleep", "1000"));
        var reader = new LockFileReader();
        await Poll.UntilAsync(() => reader.TryRead(_h.Dir.Path).IsHeld, "flock(1) to take the lock");

        var e = Assert.Throws<DashboardAlreadyRunningException>(() => SingleInstanceLock.Acquire(_h.Dir.Path, [], "1"));
        Assert.EndsWith($"holds {LockPath}", e.Message);

        ProcessesHarness.KillAndReap(flock.Pid); // SIGKILL: the kernel drops the lock with the process
        await Poll.UntilAsync(() => !reader.TryRead(_h.Dir.Path).IsHeld, "the lock to be released");
        using SingleInstanceLock acquired = SingleInstanceLock.Acquire(_h.Dir.Path, [], "1");
        Assert.True(reader.TryRead(_h.Dir.Path).IsHeld);
    }

    [Fact]
    public async Task A_launched_daemon_does_not_inherit_the_lock()
    {
        SingleInstanceLock held = SingleInstanceLock.Acquire(_h.Dir.Path, [], "1");
        LaunchedDaemon daemon = await _h.LaunchAsync(_h.Spec("sleep", "1000"));

        held.Dispose();

        using SingleInstanceLock again = SingleInstanceLock.Acquire(_h.Dir.Path, [], "1");
        Assert.True(_h.ProcFs.IsAlive(daemon.Identity));
    }
}
