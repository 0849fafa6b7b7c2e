using ServerDashboard.Logs;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Logs;

/// <summary>
/// Every followed log file shares one inotify instance: the kernel's default limit is 128 instances per user, shared with
/// the rest of the host, and a FileSystemWatcher per file took one each.
/// </summary>
public sealed class SharedInotifyTests : IDisposable
{
    private static readonly TimeSpan Never = TimeSpan.FromHours(1);
    private readonly TempDirectory temp = new("sd-inotify");

    [Fact]
    public async Task More_tailers_than_the_default_instance_limit_each_wake_on_their_own_file_through_one_instance()
    {
        const int count = 150; // above fs.inotify.max_user_instances' default of 128
        var before = InotifyInstances();
        var tailers = new List<TailerRun>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                // A directory each, as servers have; no polling at all, so only an inotify event can deliver the line.
                Directory.CreateDirectory(temp.Combine($"s{i}"));
                tailers.Add(new TailerRun(temp.Combine($"s{i}", "console.log"), TailStart.Beginning, pollInterval: Never, watchedPollInterval: Never));
            }

            await Eventually.TrueAsync(() => SharedInotify.Instance.WatchCount >= count, TimeSpan.FromSeconds(30), $"{count} directory watches");
            for (var i = 0; i < count; i++)
            {
                await File.AppendAllTextAsync(temp.Combine($"s{i}", "console.log"), $"hello {i}\n");
            }

            for (var i = 0; i < count; i++)
            {
                await tailers[i].WaitForLineAsync($"hello {i}");
                Assert.Equal([$"hello {i}"], tailers[i].Lines);
            }

            // Other tests open and close watchers meanwhile (configuration reload: the count fell by one in a CI run), so
            // only an upper bound means something; one instance per tailer would be +150.
            var added = InotifyInstances() - before;
            Assert.True(added <= 10, $"{added} more inotify instances for {count} tailers");
        }
        finally
        {
            foreach (var tailer in tailers)
            {
                await tailer.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_log_directory_deleted_and_recreated_is_watched_again()
    {
        var directory = temp.Combine("logs");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "console.log");
        // A short poll only while there is no watch (to notice the new directory); with a watch, only events deliver.
        await using var tailer = new TailerRun(path, TailStart.Beginning, pollInterval: TimeSpan.FromMilliseconds(100), watchedPollInterval: Never);
        await File.AppendAllTextAsync(path, "first\n");
        await tailer.WaitForLineAsync("first");

        Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(directory);
        await Task.Delay(500); // the tailer polls at the short interval while its file is missing, finds the new directory, watches it
        await File.AppendAllTextAsync(path, "second\n");
        await tailer.WaitForLineAsync("second");
        Assert.Equal(["first", "second"], tailer.Lines);
    }

    [Fact]
    public async Task Dropping_the_last_tailer_of_a_directory_removes_its_watch()
    {
        var directory = temp.Combine("one");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "console.log");
        await File.WriteAllTextAsync(path, "x\n");
        var tailer = new TailerRun(path, TailStart.Beginning);
        await tailer.WaitForLineAsync("x");
        Assert.Equal(1, WatchesOf(directory));
        await tailer.DisposeAsync();
        Assert.Equal(0, WatchesOf(directory));
    }

    [Fact]
    public async Task A_change_nobody_watches_waits_for_its_delay_while_a_watched_file_is_read_at_once()
    {
        Directory.CreateDirectory(temp.Combine("quiet"));
        Directory.CreateDirectory(temp.Combine("watched"));
        var quietPath = temp.Combine("quiet", "console.log");
        var watchedPath = temp.Combine("watched", "console.log");
        // Only inotify delivers (no safety poll): the unwatched file's change is held back for 5 s, the watched one's is not.
        await using var quiet = new TailerRun(quietPath, TailStart.Beginning, pollInterval: Never, watchedPollInterval: Never,
            isWatched: () => false, unwatchedDelay: TimeSpan.FromSeconds(5));
        await using var watched = new TailerRun(watchedPath, TailStart.Beginning, pollInterval: Never, watchedPollInterval: Never,
            isWatched: () => true, unwatchedDelay: TimeSpan.FromSeconds(5));
        await Eventually.TrueAsync(() => WatchesOf(temp.Combine("quiet")) == 1 && WatchesOf(temp.Combine("watched")) == 1,
            TimeSpan.FromSeconds(30), "both directories watched");

        var written = System.Diagnostics.Stopwatch.StartNew();
        await File.AppendAllTextAsync(quietPath, "later\n");
        await File.AppendAllTextAsync(watchedPath, "now\n");
        await watched.WaitForLineAsync("now");
        var watchedAfter = written.Elapsed;
        var quietHadIt = quiet.Lines.Contains("later");

        await quiet.WaitForLineAsync("later");
        // Another test's held-back change falling due may take it along, but never before half its delay.
        Assert.True(written.Elapsed >= TimeSpan.FromSeconds(2.5), $"the unwatched line came after {written.Elapsed.TotalSeconds:F2} s, before half its delay");
        Assert.False(quietHadIt && watchedAfter < TimeSpan.FromSeconds(2.5), "the unwatched line arrived with the watched one");
    }

    [Fact]
    public async Task Someone_starting_to_watch_gets_the_held_back_changes_at_once()
    {
        Directory.CreateDirectory(temp.Combine("held"));
        var path = temp.Combine("held", "console.log");
        var watching = false;
        await using var tailer = new TailerRun(path, TailStart.Beginning, pollInterval: Never, watchedPollInterval: Never,
            isWatched: () => Volatile.Read(ref watching), unwatchedDelay: Never);
        await Eventually.TrueAsync(() => WatchesOf(temp.Combine("held")) == 1, TimeSpan.FromSeconds(30), "the directory watched");

        await File.AppendAllTextAsync(path, "held\n");
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Empty(tailer.Lines); // held back: its delay is an hour

        Volatile.Write(ref watching, true);
        SharedInotify.WakeDeferred(); // what ServerLogHub does when a console subscribes
        await tailer.WaitForLineAsync("held");
        await File.AppendAllTextAsync(path, "direct\n");
        await tailer.WaitForLineAsync("direct"); // watched now: no delay
        Assert.Equal(["held", "direct"], tailer.Lines);
    }

    [Fact]
    public async Task Catching_up_reads_a_held_back_change_before_it_is_due()
    {
        Directory.CreateDirectory(temp.Combine("catchup"));
        var path = temp.Combine("catchup", "console.log");
        await using var tailer = new TailerRun(path, TailStart.Beginning, pollInterval: Never, watchedPollInterval: Never,
            isWatched: () => false, unwatchedDelay: Never);
        await Eventually.TrueAsync(() => WatchesOf(temp.Combine("catchup")) == 1, TimeSpan.FromSeconds(30), "the directory watched");
        await File.AppendAllTextAsync(path, "before the marker\n");
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Empty(tailer.Lines); // held back for an hour

        // What a dashboard line ("Stopping…", a command's echo) waits for: every line written so far has been handed on.
        await tailer.Tailer.CatchUpAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["before the marker"], tailer.Lines);
    }

    /// <summary>inotify instances this process holds (file descriptors naming anon_inode:inotify).</summary>
    private static int InotifyInstances() =>
        new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Count(fd =>
        {
            try
            {
                return fd.LinkTarget == "anon_inode:inotify";
            }
            catch (IOException)
            {
                return false; // closed meanwhile
            }
        });

    /// <summary>inotify watches this process holds on <paramref name="directory"/>'s inode (from /proc/self/fdinfo).</summary>
    private static int WatchesOf(string directory)
    {
        var inode = $"ino:{ServerDashboard.Processes.FileIdentity.OfPath(directory)!.Value.Inode:x} ";
        var count = 0;
        foreach (var fd in new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos())
        {
            try
            {
                if (fd.LinkTarget == "anon_inode:inotify")
                {
                    count += File.ReadLines($"/proc/self/fdinfo/{fd.Name}").Count(line => line.StartsWith("inotify wd:", StringComparison.Ordinal) && line.Contains(inode, StringComparison.Ordinal));
                }
            }
            catch (IOException)
            {
                // closed meanwhile
            }
        }

        return count;
    }

    public void Dispose() => temp.Dispose();
}
