using System.Diagnostics;
using System.Text;
using ServerDashboard.Logs;
using ServerDashboard.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ServerDashboard.Tests.Logs;

public sealed class LogFileTailerTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory temp = new("sd-tail");

    public enum Rotation
    {
        RenameAndCreate,
        DeleteAndRecreate,
    }

    [Theory]
    [InlineData(Rotation.RenameAndCreate)]
    [InlineData(Rotation.DeleteAndRecreate)]
    public async Task Every_line_of_a_fast_writer_arrives_exactly_once_and_in_order_across_rotations(Rotation rotation)
    {
        const int total = 100_000;
        const int linesPerFile = 20_000;
        var path = temp.Combine("app.log");
        await using var tailer = new TailerRun(path, TailStart.Beginning);

        var clock = Stopwatch.StartNew();
        var stream = OpenForAppend(path);
        for (var n = 0; n < total; n++)
        {
            if (n > 0 && n % linesPerFile == 0)
            {
                await stream.DisposeAsync();
                // Real rotations are minutes apart; two within one tailer wake-up would skip the middle file (as tail -F does).
                await tailer.WaitForAsync(n - linesPerFile + 1);
                if (rotation == Rotation.RenameAndCreate)
                {
                    File.Move(path, path + "." + n);
                }
                else
                {
                    File.Delete(path);
                }

                stream = OpenForAppend(path);
            }

            stream.Write(Encoding.UTF8.GetBytes($"line {n}\n"));
            if (n % 100 == 99)
            {
                stream.Flush();
                await PaceAsync(clock, n, linesPerSecond: 20_000);
            }
        }

        await stream.DisposeAsync();
        var writeSeconds = clock.Elapsed.TotalSeconds;
        await tailer.WaitForAsync(total);

        output.WriteLine($"{rotation}: wrote {total} lines in {writeSeconds:0.00} s ({total / writeSeconds:0} lines/s), all received after {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.Equal(0, NumberedLines.AssertInOrderAndCountMissing(tailer.Lines, total));
    }

    [Fact]
    public async Task Copytruncate_under_a_fast_O_APPEND_writer_loses_only_lines_of_the_copy_window()
    {
        const int total = 300_000;
        var path = temp.Combine("console.log");
        File.WriteAllText(path, "");
        await using var tailer = new TailerRun(path, TailStart.Beginning);
        // A real daemon-like writer: bash's stdout opened once with O_APPEND (>>), one write(2) per line.
        using var writer = Process.Start(new ProcessStartInfo("/bin/bash",
            ["-c", $"exec >> '{path}'; i=0; while [ $i -lt {total} ]; do echo \"line $i\"; i=$((i+1)); done"]))!;
        var clock = Stopwatch.StartNew();
        var copies = new List<CopyTruncateResult>();
        while (!writer.HasExited)
        {
            if (new FileInfo(path).Length > 256 * 1024)
            {
                copies.Add(ConsoleLogRotator.CopyTruncate(path, temp.Combine($"console.{copies.Count}.log")));
            }

            await Task.Delay(1); // checks the size about as often as a rotator could; a busy loop would starve the writer on 2 cores
        }

        await writer.WaitForExitAsync();
        var writeSeconds = clock.Elapsed.TotalSeconds;
        // The writer's own last line may have gone into a copy before the tailer read it (a copy can happen between its last
        // write and its exit): that is a loss within the bound below, not a hang. A closing line written after the last copy
        // is never truncated away, so the tailer must deliver it.
        File.AppendAllText(path, $"line {total}\n");
        var onDisk = copies.SelectMany(c => File.ReadLines(c.Destination)).Concat(File.ReadLines(path)).Select(NumberedLines.Parse).ToHashSet();
        var lostOnDisk = total + 1 - onDisk.Count;
        await Eventually.TrueAsync(() => tailer.Lines.LastOrDefault() == $"line {total}", TimeSpan.FromSeconds(30), "the closing line");

        var lostByTailer = NumberedLines.AssertInOrderAndCountMissing(tailer.Lines, total + 1);
        var maxWindow = copies.Max(c => c.LossWindow);
        output.WriteLine($"copytruncate: {total} lines in {writeSeconds:0.00} s ({total / writeSeconds:0} lines/s), {copies.Count} rotations; " +
            $"lost on disk {lostOnDisk} ({(double)lostOnDisk / copies.Count:0.0}/rotation), lost by the tailer {lostByTailer} " +
            $"({(double)lostByTailer / copies.Count:0.0}/rotation), copy window max {maxWindow.TotalMicroseconds:0} µs, " +
            $"mean {copies.Average(c => c.LossWindow.TotalMicroseconds):0} µs");
        Assert.True(copies.Count >= 3, $"only {copies.Count} rotations happened");
        // Documented bound (docs/logs.md): the tailer loses what it had not read when the truncate hit (measured 0.3-1.4% on
        // an idle machine). How much that is depends on how far the reader lags, i.e. on CPU contention from other tests, so
        // the stream bound here is loose; the lines themselves are in the copies (the disk bound below is the tight one).
        Assert.True(lostByTailer <= total / 4, $"the tailer lost {lostByTailer} of {total} lines");
        Assert.True(lostOnDisk <= total / 100, $"{lostOnDisk} of {total} lines are in neither the copies nor the file");
    }

    [Fact]
    public async Task A_line_written_in_two_writes_arrives_as_one_line()
    {
        var path = temp.Combine("partial.log");
        await using var stream = OpenForAppend(path);
        await using var tailer = new TailerRun(path, TailStart.Beginning);

        await WriteAsync(stream, "first half, ");
        await WriteAsync(stream, "second half\nnext\n");

        await tailer.WaitForAsync(2);
        Assert.Equal(["first half, second half", "next"], tailer.Lines);
    }

    [Fact]
    public async Task A_partial_line_is_not_emitted_until_its_newline_arrives()
    {
        var path = temp.Combine("partial.log");
        await using var stream = OpenForAppend(path);
        await using var tailer = new TailerRun(path, TailStart.Beginning);

        await WriteAsync(stream, "done\nnot yet");
        await tailer.WaitForLineAsync("done");
        await WriteAsync(stream, " complete\n");

        await tailer.WaitForAsync(2);
        Assert.Equal(["done", "not yet complete"], tailer.Lines);
    }

    [Fact]
    public async Task A_1_MB_line_arrives_truncated_at_16_KiB_with_a_marker()
    {
        var path = temp.Combine("long.log");
        var huge = new string('x', 1024 * 1024);
        await File.WriteAllTextAsync(path, "before\n" + huge + "\nafter\n");
        await using var tailer = new TailerRun(path, TailStart.Beginning);

        await tailer.WaitForAsync(3);

        var lines = tailer.Lines.ToList();
        Assert.Equal("before", lines[0]);
        Assert.Equal(new string('x', LogLineAssembler.MaxLineBytes) + LogLineAssembler.TruncationMarker(huge.Length - LogLineAssembler.MaxLineBytes), lines[1]);
        Assert.EndsWith("[truncated 1032192 bytes]", lines[1]);
        Assert.Equal("after", lines[2]);
    }

    [Fact]
    public async Task Invalid_utf8_becomes_replacement_characters_and_ansi_escapes_are_kept()
    {
        var path = temp.Combine("binary.log");
        byte[] bytes = [.. "bad "u8, 0xC3, 0x28, 0xFF, .. " \u001b[31mred\u001b[0m é\nok\n"u8];
        await File.WriteAllBytesAsync(path, bytes);
        await using var tailer = new TailerRun(path, TailStart.Beginning);

        await tailer.WaitForAsync(2);

        Assert.Equal(["bad \uFFFD(\uFFFD \u001b[31mred\u001b[0m é", "ok"], tailer.Lines);
    }

    [Fact]
    public async Task A_file_that_appears_late_is_followed_from_its_start()
    {
        var path = temp.Combine("later", "latest.log"); // not even its directory exists yet
        await using var tailer = new TailerRun(path, TailStart.End);

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, "one\ntwo\n");

        await tailer.WaitForAsync(2);
        Assert.Equal(["one", "two"], tailer.Lines);
    }

    [Fact]
    public async Task Deleting_the_file_without_recreating_it_keeps_following_the_open_file()
    {
        var path = temp.Combine("gone.log");
        await using var stream = OpenForAppend(path);
        await using var tailer = new TailerRun(path, TailStart.Beginning);
        await WriteAsync(stream, "before\n");
        await tailer.WaitForLineAsync("before");

        File.Delete(path);
        await WriteAsync(stream, "into the deleted file\n"); // a daemon keeps writing to its open fd
        await tailer.WaitForLineAsync("into the deleted file");
        await File.WriteAllTextAsync(path, "new file\n");
        await tailer.WaitForLineAsync("new file");

        Assert.False(tailer.Faulted);
        Assert.Equal(["before", "into the deleted file", "new file"], tailer.Lines);
    }

    [Fact]
    public async Task A_partial_line_is_flushed_once_its_rotated_away_file_has_been_quiet()
    {
        var path = temp.Combine("rotated.log");
        await File.WriteAllTextAsync(path, "whole\nno newline");
        await using var tailer = new TailerRun(path, TailStart.Beginning, drainQuietPeriod: TimeSpan.FromMilliseconds(300));
        await tailer.WaitForLineAsync("whole");

        File.Move(path, path + ".1");
        await File.WriteAllTextAsync(path, "fresh\n");

        // The writer could still complete the line in the old file (create + SIGHUP): it is flushed once that file is quiet.
        await tailer.WaitForAsync(3);
        Assert.Equal(["whole", "fresh", "no newline"], tailer.Lines);
    }

    [Fact]
    public async Task Starting_from_the_last_lines_reads_only_those_then_follows()
    {
        var path = temp.Combine("history.log");
        await File.WriteAllTextAsync(path, string.Concat(Enumerable.Range(0, 50).Select(n => $"line {n}\n")));
        await using var tailer = new TailerRun(path, new TailStart(10));
        await tailer.WaitForAsync(10);
        await File.AppendAllTextAsync(path, "line 50\n");

        await tailer.WaitForAsync(11);
        Assert.Equal(Enumerable.Range(40, 11).Select(n => $"line {n}"), tailer.Lines);
    }

    [Fact]
    public async Task A_tailer_keeps_up_with_a_burst_writer()
    {
        const int total = 500_000;
        var path = temp.Combine("burst.log");
        File.WriteAllText(path, "");
        await using var tailer = new TailerRun(path, TailStart.Beginning);
        var clock = Stopwatch.StartNew();
        await using (var stream = OpenForAppend(path))
        {
            for (var n = 0; n < total; n++)
            {
                stream.Write(Encoding.UTF8.GetBytes($"line {n}\n"));
            }
        }

        var written = clock.Elapsed;
        await tailer.WaitForAsync(total, seconds: 60);
        output.WriteLine($"burst: {total} lines written in {written.TotalMilliseconds:0} ms, all tailed after {clock.Elapsed.TotalMilliseconds:0} ms " +
            $"({total / clock.Elapsed.TotalSeconds:0} lines/s)");
        Assert.Equal(0, NumberedLines.AssertInOrderAndCountMissing(tailer.Lines, total));
    }

    private static FileStream OpenForAppend(string path) =>
        new(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);

    private static async Task WriteAsync(FileStream stream, string text)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text));
        await stream.FlushAsync();
    }

    /// <summary>Keeps the writer near <paramref name="linesPerSecond"/> so it runs long enough for rotations to happen mid-stream.</summary>
    private static async Task PaceAsync(Stopwatch clock, int written, int linesPerSecond)
    {
        while (clock.Elapsed.TotalSeconds < (double)written / linesPerSecond)
        {
            await Task.Delay(1);
        }
    }

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Lines_the_writer_still_appends_to_the_old_file_after_a_create_rotation_are_not_lost()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("server.log");
        // The daemon's fd: O_APPEND, kept across the rotation until it "handles SIGHUP" and reopens.
        await using var oldFd = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        await using var run = new TailerRun(path, TailStart.Beginning);
        await WriteLinesAsync(oldFd, "a", 1, 100);
        await run.WaitForLineAsync("a100");

        File.Move(path, path + ".1"); // logrotate create: rename, then create a new file
        await File.AppendAllTextAsync(path, "b1\n");
        await run.WaitForLineAsync("b1"); // the tailer has switched to the new file
        await WriteLinesAsync(oldFd, "a", 101, 200); // before the SIGHUP reaches the writer
        await File.AppendAllTextAsync(path, "b2\n"); // after it reopened

        await run.WaitForLineAsync("b2");
        await run.WaitForLineAsync("a200", seconds: 10);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => $"a{i}"), run.Lines.Where(l => l.StartsWith('a')));
    }

    private static async Task WriteLinesAsync(FileStream fd, string prefix, int from, int to)
    {
        for (var i = from; i <= to; i++)
        {
            await fd.WriteAsync(System.Text.Encoding.UTF8.GetBytes($"{prefix}{i}\n"));
            await fd.FlushAsync();
        }
    }
}
