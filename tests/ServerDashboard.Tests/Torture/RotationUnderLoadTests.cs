using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using ServerDashboard.Logs;
using ServerDashboard.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ServerDashboard.Tests.Torture;

/// <summary>
/// A writer paced to 12,000 lines/s (one write(2) per line through an O_APPEND fd, as a daemon writes) while the file
/// is rotated in every style logrotate knows; counts the lines the tailer never delivered, per style. The rate reached
/// is printed, not asserted: a loaded CI machine falls short of it now and then (9,852 lines/s once), which says
/// nothing about the tailer; timing targets live in the benchmark project.
/// </summary>
[Trait("Category", "Torture")]
public sealed class RotationUnderLoadTests(ITestOutputHelper output)
{
    public enum Style
    {
        /// <summary>logrotate create + postrotate SIGHUP: rename, create, the writer reopens ~50 ms later.</summary>
        CreateSighup,
        /// <summary>rename, then the writer itself creates the new file at once.</summary>
        RenameCreate,
        /// <summary>unlink, the writer recreates ~50 ms later.</summary>
        DeleteRecreate,
        /// <summary>logrotate copytruncate: copy, then truncate in place; the writer never reopens.</summary>
        CopyTruncate,
    }

    [Theory]
    [InlineData(Style.CreateSighup)]
    [InlineData(Style.RenameCreate)]
    [InlineData(Style.DeleteRecreate)]
    [InlineData(Style.CopyTruncate)]
    public async Task Lines_are_not_lost_under_load_and_rotation(Style style)
    {
        using var dir = new TempDirectory("sd-rot");
        var path = dir.Combine("server.log");
        var seconds = TortureMode.Pick(2, 10);
        var rotations = TortureMode.Pick(6, 20);
        const int linesPerSecond = 12_000;
        var received = new ConcurrentDictionary<int, int>();
        var duplicates = 0;
        using var stop = new CancellationTokenSource();
        var tailer = new LogFileTailer(path, TailStart.Beginning, TimeProvider.System, NullLogger.Instance) { PollInterval = TimeSpan.FromMilliseconds(50), DrainQuietPeriod = TimeSpan.FromSeconds(2) };
        File.WriteAllText(path, "");
        var tailing = Task.Run(() => tailer.RunAsync(batch =>
        {
            foreach (var line in batch)
            {
                if (line.StartsWith("line ", StringComparison.Ordinal) && int.TryParse(line.AsSpan(5), out var n) && received.AddOrUpdate(n, 1, (_, c) => c + 1) > 1)
                {
                    Interlocked.Increment(ref duplicates);
                }
            }
        }, stop.Token));

        var writer = new Writer(path);
        var total = seconds * linesPerSecond;
        var rotateEvery = total / (rotations + 1);
        var clock = Stopwatch.StartNew();
        var rotation = Task.CompletedTask;
        // The writer stands for a daemon (another process): it runs on a thread of its own, not on the thread pool the
        // tailer uses. As a pool work item its busy loop held one of the two pool threads of a 2-core machine, and the
        // tailer's wake-ups waited for the pool to grow (≈ 0.5 s per thread), long enough to sleep through two rotations.
        await Task.Factory.StartNew(() =>
        {
            for (var n = 1; n <= total; n++)
            {
                writer.Write(n);
                if (n % rotateEvery == 0)
                {
                    rotation.GetAwaiter().GetResult();
                    var index = n / rotateEvery;
                    // Concurrently: the writer keeps writing (to the old file) while the rotation waits for its "SIGHUP".
                    rotation = Task.Run(() => RotateAsync(style, path, writer, index));
                }

                // Pace to the target rate (busy enough to stay above it, without hogging a core).
                if (n % 200 == 0 && clock.Elapsed.TotalSeconds < (double)n / linesPerSecond)
                {
                    Thread.Sleep(TimeSpan.FromSeconds((double)n / linesPerSecond) - clock.Elapsed is { TotalMilliseconds: > 1 } d ? d : TimeSpan.FromMilliseconds(1));
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var rate = total / clock.Elapsed.TotalSeconds;
        await rotation;
        writer.Dispose();
        await Eventually.TrueAsync(() => received.Count >= total, TimeSpan.FromSeconds(10), "the tail to catch up").ContinueWith(_ => { });
        await stop.CancelAsync();
        await tailing;

        var onDisk = CountOnDisk(dir.Path);
        var lost = total - received.Count;
        output.WriteLine($"rotation {style} ({TortureMode.Name}): {total} lines at {rate:0} lines/s, {rotations} rotations; lost in stream={lost} ({100.0 * lost / total:0.00} %), lost on disk={(style == Style.DeleteRecreate ? "n/a (deleted)" : (total - onDisk).ToString(System.Globalization.CultureInfo.InvariantCulture))}, duplicates={duplicates}");
        Assert.Equal(0, duplicates);
        if (style != Style.CopyTruncate)
        {
            Assert.Equal(0, lost);
        }
        else
        {
            // Inherent to copytruncate (rate × tailer lag, docs/logs.md); bounded loosely here so a loaded CI machine passes.
            Assert.True(lost <= total * 0.10, $"copytruncate lost {lost} of {total}");
        }
    }

    private static async Task RotateAsync(Style style, string path, Writer writer, int index)
    {
        var rotated = $"{path}.{index}";
        switch (style)
        {
            case Style.CreateSighup:
                File.Move(path, rotated);
                File.WriteAllText(path, "");
                await Task.Delay(50); // the daemon handles SIGHUP a moment later, writing to the old file meanwhile
                writer.Reopen();
                break;
            case Style.RenameCreate:
                File.Move(path, rotated);
                writer.Reopen();
                break;
            case Style.DeleteRecreate:
                File.Delete(path);
                await Task.Delay(50);
                writer.Reopen();
                break;
            case Style.CopyTruncate:
                File.Copy(path, rotated);
                using (var truncate = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
                {
                    truncate.SetLength(0);
                }

                break;
        }
    }

    private static int CountOnDisk(string dir) =>
        Directory.GetFiles(dir).SelectMany(File.ReadLines).Where(l => l.StartsWith("line ", StringComparison.Ordinal)).Select(l => l).Distinct().Count();

    /// <summary>The "daemon": one O_APPEND fd, one write per line; the tests write from one thread except during a reopen delay.</summary>
    private sealed class Writer(string path) : IDisposable
    {
        private readonly Lock gate = new();
        private FileStream stream = Open(path);

        public void Write(int n)
        {
            var bytes = Encoding.ASCII.GetBytes($"line {n}\n");
            lock (gate)
            {
                stream.Write(bytes);
                stream.Flush();
            }
        }

        public void Reopen()
        {
            lock (gate)
            {
                stream.Dispose();
                stream = Open(path);
            }
        }

        public void Dispose() => stream.Dispose();

        private static FileStream Open(string path) => new(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
    }
}
