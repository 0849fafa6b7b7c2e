using ServerDashboard.Jobs;
using ServerDashboard.Tests.Infrastructure;
using ServerDashboard.Tests.Processes;

namespace ServerDashboard.Tests.Jobs;

/// <summary>The CLI (<c>jobs ...</c> and the seed's aliases) on the files directly, and through a running dashboard.</summary>
public sealed class JobCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static Task<ProcessResult> RunAsync(params string[] args) => ProcessRunner.RunAsync("ServerDashboard", args, Timeout);

    private static string TwentyLinesThenWait(string goFile) =>
        $"i=1; while [ $i -le 20 ]; do echo \"line $i\"; i=$((i+1)); done; while [ ! -e {goFile} ]; do sleep 0.05; done";

    [Fact]
    public async Task Status_show_log_prints_exactly_the_last_lines_and_the_seed_aliases_work_on_the_pid_dir_given()
    {
        using var data = new TempDirectory("sd-jobcli");
        string pidDir = data.Combine("my-pids");
        string[] common = ["--data-dir", data.Path, "--pid-dir", pidDir];

        var start = await RunAsync(["jobs", "start", "twenty", .. common, "--", "sh", "-c", TwentyLinesThenWait(data.Combine("go"))]);
        Assert.True(start.ExitCode == 0, start.StandardError);
        Assert.True(File.Exists(Path.Combine(pidDir, "twenty.status")), "--pid-dir is honoured");
        Assert.False(Directory.Exists(data.Combine("jobs")), "nothing in the default PID directory");
        var files = new JobFiles(pidDir);
        int pid = files.ReadStatus("twenty").Record!.Pid;
        try
        {
            await Eventually.TrueAsync(() => files.ReadLogTail("twenty", 1).SequenceEqual(["line 20"]), TimeSpan.FromSeconds(20), "20 lines in the log");

            var status = await RunAsync(["jobs", "status", "twenty", "--show-log", "--log-lines", "5", .. common]);
            Assert.True(status.ExitCode == 0, status.StandardError);
            var lines = status.StandardOutput.TrimEnd('\n').Split('\n');
            int header = Array.IndexOf(lines, "Recent log (last 5 lines):");
            Assert.True(header >= 0, status.StandardOutput);
            Assert.Equal(["line 16", "line 17", "line 18", "line 19", "line 20"], lines[(header + 1)..]);
            Assert.Contains($"PID: {pid}", status.StandardOutput);
            Assert.Contains("Status: running", status.StandardOutput);

            var alias = await RunAsync(["process-status", "twenty", "--show-log", "--log-lines", "2", .. common]);
            Assert.Equal(0, alias.ExitCode);
            Assert.EndsWith("line 19\nline 20\n", alias.StandardOutput);

            var list = await RunAsync(["list-processes", .. common]);
            Assert.Equal(0, list.ExitCode);
            Assert.Contains("twenty", list.StandardOutput);
            Assert.Contains("running", list.StandardOutput);
            Assert.Contains("twenty", (await RunAsync(["jobs", "list", .. common])).StandardOutput);

            var conflict = await RunAsync(["jobs", "start", "twenty", .. common, "--", "true"]);
            Assert.Equal(JobCommandsExit.Conflict, conflict.ExitCode);
            Assert.Contains("already running", conflict.StandardError);

            var cancel = await RunAsync(["cancel-process", "twenty", "--timeout", "5", .. common]);
            Assert.True(cancel.ExitCode == 0, cancel.StandardError);
            Assert.Contains("cancelled", cancel.StandardOutput);
            Assert.False(File.Exists(Path.Combine(pidDir, "twenty.status")));
            Assert.False(File.Exists(Path.Combine(pidDir, "twenty.pid")));

            var after = await RunAsync(["process-status", "twenty", .. common]);
            Assert.Equal(JobCommandsExit.NotRunning, after.ExitCode);
            Assert.Contains("Status: cancelled", after.StandardOutput);
            Assert.Equal(JobCommandsExit.NotFound, (await RunAsync(["process-status", "nobody", .. common])).ExitCode);
            Assert.Equal(JobCommandsExit.NotFound, (await RunAsync(["cancel-process", "nobody", .. common])).ExitCode);
            Assert.Equal(JobCommandsExit.Invalid, (await RunAsync(["jobs", "start", "ghost", .. common, "--", "no-such-program-xyz"])).ExitCode);
            Assert.False(File.Exists(Path.Combine(pidDir, "ghost.status")));
        }
        finally
        {
            ProcessesHarness.KillAndReap(pid);
        }
    }

    [Fact]
    public async Task Jobs_list_and_cancel_go_through_a_running_dashboard()
    {
        using var data = new TempDirectory("sd-jobcli");
        await using var dashboard = await DashboardProcess.StartAsync(data.Path);
        string[] common = ["--data-dir", data.Path];
        var start = await RunAsync(["jobs", "start", "viadash", .. common, "--", "sh", "-c", "echo '##progress 25 warming'; while :; do sleep 0.05; done"]);
        Assert.True(start.ExitCode == 0, start.StandardError);
        var files = new JobFiles(data.Combine("jobs"));
        int pid = files.ReadStatus("viadash").Record!.Pid;
        try
        {
            // The dashboard adopts the job and parses its progress (the CLI wrote only the initial files).
            await Eventually.TrueAsync(() => files.ReadStatus("viadash").Record?.Progress == 25, TimeSpan.FromSeconds(20), "the dashboard to parse the progress");
            var list = await RunAsync(["jobs", "list", .. common]);
            Assert.Equal(0, list.ExitCode);
            Assert.Contains("viadash", list.StandardOutput);
            Assert.Contains("25%", list.StandardOutput);

            var cancel = await RunAsync(["jobs", "cancel", "viadash", "--timeout", "5", .. common]);
            Assert.True(cancel.ExitCode == 0, cancel.StandardError + cancel.StandardOutput);
            Assert.Contains("cancelled", cancel.StandardOutput);
            Assert.False(File.Exists(files.StatusPath("viadash")));
            Assert.Contains(files.ReadHistory(10), r => r.Record is { Name: "viadash", Status: JobStates.Cancelled, CancelledBy: "cli" });
        }
        finally
        {
            ProcessesHarness.KillAndReap(pid);
        }
    }
}

/// <summary>The documented exit codes, spelled out for the assertions.</summary>
internal static class JobCommandsExit
{
    public const int NotFound = 1;
    public const int Invalid = 2;
    public const int NotRunning = 3;
    public const int Conflict = 5;
}
