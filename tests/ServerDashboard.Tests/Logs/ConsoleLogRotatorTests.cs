using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ServerDashboard.Hosting;
using ServerDashboard.Logs;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Logs;

public sealed class ConsoleLogRotatorTests : IDisposable
{
    private readonly TempDirectory temp = new("sd-rotate");
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_new_start_renames_a_non_empty_console_log_and_keeps_the_newest_files()
    {
        var rotator = Rotator(keepFiles: 2);
        var log = ConsoleLog();
        Assert.Null(rotator.RotateForNewStart(1)); // no file yet
        File.WriteAllText(log, "");
        Assert.Null(rotator.RotateForNewStart(1)); // empty: nothing to keep

        var names = new List<string>();
        for (var run = 0; run < 4; run++)
        {
            File.WriteAllText(log, $"run {run}\n");
            names.Add(Path.GetFileName(rotator.RotateForNewStart(1))!);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.False(File.Exists(log));
        Assert.Equal("console.20261121-120000.log", names[0]);
        Assert.Equal(names.TakeLast(2).Order(), Directory.GetFiles(Path.GetDirectoryName(log)!).Select(Path.GetFileName).Order());
        Assert.Equal("run 3\n", File.ReadAllText(Path.Combine(Path.GetDirectoryName(log)!, names[3])));
    }

    [Fact]
    public void The_size_cap_copies_then_truncates_the_console_log()
    {
        var rotator = Rotator(keepFiles: 5, maxSizeMb: 1);
        var log = ConsoleLog();
        File.WriteAllBytes(log, new byte[512 * 1024]);
        Assert.Null(rotator.EnforceSizeCap(1));
        File.WriteAllBytes(log, new byte[2 * 1024 * 1024]);

        var result = rotator.EnforceSizeCap(1);

        Assert.NotNull(result);
        Assert.Equal(2 * 1024 * 1024, result.BytesCopied);
        Assert.Equal(2 * 1024 * 1024, new FileInfo(result.Destination).Length);
        Assert.Equal(0, new FileInfo(log).Length);
    }

    private string ConsoleLog()
    {
        var path = new LaunchPlanner(new DataDirectory(temp.Path), new UnixUsers()).ConsoleLogPath(1);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    private ConsoleLogRotator Rotator(int keepFiles, int maxSizeMb = 100) =>
        new(new LaunchPlanner(new DataDirectory(temp.Path), new UnixUsers()), Options.Create(new LogOptions { KeepFiles = keepFiles, MaxSizeMb = maxSizeMb }),
            time, NullLogger<ConsoleLogRotator>.Instance);

    public void Dispose() => temp.Dispose();
}
