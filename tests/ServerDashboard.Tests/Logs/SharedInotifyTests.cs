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

            // Other tests may open a watcher or two meanwhile (configuration reload); one per tailer would be +150.
            Assert.InRange(InotifyInstances() - before, 0, 10);
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
        await Task.Delay(500); // the tailer notices the directory went away and watches the new one
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
