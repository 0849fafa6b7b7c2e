using System.Diagnostics;
using System.Globalization;
using ServerDashboard.Processes;
using ServerDashboard.Tests.Processes;
using Xunit.Abstractions;

namespace ServerDashboard.Tests.Torture;

/// <summary>
/// True PID reuse: a daemon dies, and another process is made to get exactly its pid (as root, writing
/// /proc/sys/kernel/ns_last_pid makes the next fork take the following pid). The stale PID file must be recognised as
/// PidReused: the new process is never adopted and never signalled.
/// </summary>
[Trait("Category", "Torture")]
[Collection("Torture storms")] // never beside the storm: forcing pids would hand the storm's forks the chosen pid
public sealed class PidReuseTests(ITestOutputHelper output)
{
    private const string LastPid = "/proc/sys/kernel/ns_last_pid";

    [Fact]
    public async Task A_pid_reused_by_another_process_is_never_adopted_or_signalled()
    {
        if (Environment.UserName != "root" || !File.Exists(LastPid))
        {
            output.WriteLine("pid reuse: skipped - writing /proc/sys/kernel/ns_last_pid needs root (CAP_SYS_ADMIN in the pid namespace); this run is not root");
            return;
        }

        var rounds = TortureMode.Pick(5, 50);
        int reused = 0, misses = 0, violations = 0;
        for (var round = 0; round < rounds; round++)
        {
            await using var h = new ProcessesHarness();
            // Not through h.StartAsync: the harness would SIGKILL this pid's session at dispose, and the pid is reused on purpose.
            TrackedProcess daemon = await h.Manager.StartAsync(new ServerStartRequest("1", "reuse", h.Spec("sleep", "1000")), CancellationToken.None);
            var pid = daemon.Pid;
            var pidFile = File.ReadAllText(daemon.PidFilePath);
            ProcessesHarness.KillAndReap(pid);
            File.WriteAllText(daemon.PidFilePath, pidFile); // the dashboard "died" before it saw the exit

            // The same program on the same pid: only the start time tells them apart.
            using var impostor = SpawnWithPid(pid);
            if (impostor is null)
            {
                misses++; // another fork on the machine took the pid first
                continue;
            }

            reused++;
            await using var restarted = h.Restarted();
            var summary = await restarted.Registry.LoadFromDiskAsync();
            var verdict = summary.Validations.Single();
            if (summary.Loaded != 0 || verdict.Outcome != PidFileOutcome.PidReused || impostor.HasExited)
            {
                violations++;
                output.WriteLine($"round {round}: pid {pid} reused; outcome {verdict.Outcome}, loaded {summary.Loaded}, impostor exited {impostor.HasExited}");
            }

            impostor.Kill();
            await impostor.WaitForExitAsync();
        }

        output.WriteLine($"pid reuse ({TortureMode.Name}): {rounds} rounds, pid reused in {reused}, missed {misses} (another fork won the race); violations={violations}");
        Assert.Equal(0, violations);
        Assert.True(reused > 0, "no round managed to reuse a pid");
    }

    private static Process? SpawnWithPid(int pid)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            File.WriteAllText(LastPid, (pid - 1).ToString(CultureInfo.InvariantCulture));
            var process = Process.Start(new ProcessStartInfo("/usr/bin/sleep", "1000") { UseShellExecute = false })!;
            if (process.Id == pid)
            {
                return process;
            }

            process.Kill();
            process.WaitForExit();
        }

        return null;
    }
}
