using ServerDashboard.Jobs;

namespace ServerDashboard.Tests.Jobs;

/// <summary>Real jobs (sh scripts) under the waiting parent: progress, exit codes, cancel, conflicts, bad commands.</summary>
public sealed class JobRunnerTests
{
    // Waits for a file the test creates: the job moves on only when the test has seen the previous step.
    private const string SteppedJob = """
        echo "##progress 10 step one"
        while [ ! -e go1 ]; do sleep 0.02; done
        echo "##progress 60.5 step two"
        while [ ! -e go2 ]; do sleep 0.02; done
        echo plain line
        echo done
        """;

    [Fact]
    public async Task A_job_printing_progress_lines_moves_its_status_file_and_succeeds_with_exit_code_0()
    {
        await using var jobs = new JobsHarness();
        var started = await jobs.StartAsync("render", "sh", "-c", SteppedJob);
        Assert.Equal(JobStates.Running, started.Status);
        Assert.True(File.Exists(jobs.Files.PidPath("render")));
        Assert.Equal(started.Pid + "\n", File.ReadAllText(jobs.Files.PidPath("render")));
        Assert.Equal(0x180, (int)File.GetUnixFileMode(jobs.Files.StatusPath("render")) & 0x1FF); // 0600
        Assert.Equal(0x1C0, (int)File.GetUnixFileMode(jobs.Files.Directory) & 0x1FF); // 0700

        var first = await jobs.PollUntilAsync("render", r => r?.Progress == 10, "progress 10");
        Assert.Equal("step one", first!.CurrentTask);
        await File.WriteAllTextAsync(jobs.Dir.Combine("go1"), "");
        var second = await jobs.PollUntilAsync("render", r => r?.Progress == 60.5, "progress 60.5");
        Assert.Equal("step two", second!.CurrentTask);
        Assert.True(second.LastUpdate >= first.LastUpdate);
        await File.WriteAllTextAsync(jobs.Dir.Combine("go2"), "");

        var final = await jobs.PollUntilArchivedAsync("render");
        Assert.Equal(JobStates.Succeeded, final.Status);
        Assert.Equal(0, final.ExitCode);
        Assert.Equal("step two", final.CurrentTask);
        Assert.Equal(["plain line", "done"], final.LogTail!.TakeLast(2));
        Assert.False(File.Exists(jobs.Files.StatusPath("render")));
        Assert.False(File.Exists(jobs.Files.LogPath("render")));
        Assert.Equal("done", jobs.Runner.LogTail("render", 1).Single());
    }

    [Fact]
    public async Task A_failing_job_ends_failed_with_its_exit_code()
    {
        await using var jobs = new JobsHarness();
        await jobs.StartAsync("wipe", "sh", "-c", "echo oops >&2; exit 3");
        var final = await jobs.PollUntilArchivedAsync("wipe");
        Assert.Equal(JobStates.Failed, final.Status);
        Assert.Equal(3, final.ExitCode);
        Assert.Contains("oops", final.LogTail!);
    }

    [Fact]
    public async Task A_job_that_ignores_SIGTERM_is_killed_after_the_timeout_its_files_cleaned_and_its_history_kept()
    {
        await using var jobs = new JobsHarness();
        await jobs.StartAsync("stubborn", "sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done");
        await jobs.PollUntilAsync("stubborn", _ => jobs.Runner.LogTail("stubborn", 5).Contains("ready"), "the job to be ready");

        var final = await jobs.Runner.CancelAsync("stubborn", TimeSpan.FromSeconds(1), "tester", CancellationToken.None);

        Assert.Equal(JobStates.Cancelled, final.Status);
        Assert.Contains("SIGKILL", final.Ended);
        Assert.Equal("tester", final.CancelledBy);
        foreach (var file in new[] { jobs.Files.PidPath("stubborn"), jobs.Files.StatusPath("stubborn"), jobs.Files.LogPath("stubborn"), jobs.Files.ExitPath("stubborn") })
        {
            Assert.False(File.Exists(file), file + " should be cleaned");
        }

        var archived = jobs.Runner.ListHistory(10).Single(r => r.Name == "stubborn");
        Assert.Equal(JobStates.Cancelled, archived.Status);
        Assert.Contains("ready", archived.LogTail!);
        Assert.DoesNotContain(new ServerDashboard.Processes.ProcFs().ListGroupOrSession(final.Pid), s => !s.IsZombieOrDead);
    }

    [Fact]
    public async Task A_cancelled_job_that_honours_SIGTERM_is_recorded_cancelled_not_failed()
    {
        await using var jobs = new JobsHarness();
        await jobs.StartAsync("polite", "sh", "-c", "trap 'echo bye; exit 5' TERM; echo ready; while :; do sleep 0.05; done");
        await jobs.PollUntilAsync("polite", _ => jobs.Runner.LogTail("polite", 5).Contains("ready"), "the job to be ready");

        var final = await jobs.Runner.CancelAsync("polite", TimeSpan.FromSeconds(20), "tester", CancellationToken.None);

        Assert.Equal(JobStates.Cancelled, final.Status);
        Assert.Equal(5, final.ExitCode); // the job's own exit code, written by the waiting parent
        Assert.Contains("SIGTERM", final.Ended);
        Assert.Contains("bye", final.LogTail!);
    }

    [Fact]
    public async Task Starting_a_name_that_runs_is_a_conflict_naming_the_running_job_and_a_missing_command_writes_nothing()
    {
        await using var jobs = new JobsHarness();
        var running = await jobs.StartAsync("dup", "sleep", "30");
        var conflict = await Assert.ThrowsAsync<JobConflictException>(() => jobs.StartAsync("dup", "sleep", "1"));
        Assert.Contains("'dup' is already running", conflict.Message);
        Assert.Contains($"pid {running.Pid}", conflict.Message);

        var missing = await Assert.ThrowsAsync<JobInputException>(() => jobs.StartAsync("ghost", "no-such-program-xyz"));
        Assert.Contains("not found", missing.Message);
        Assert.False(File.Exists(jobs.Files.StatusPath("ghost")));
        Assert.False(File.Exists(jobs.Files.LogPath("ghost")));

        await Assert.ThrowsAsync<JobInputException>(() => jobs.StartAsync("../evil", "true"));
        await Assert.ThrowsAsync<JobNotFoundException>(() => jobs.Runner.CancelAsync("nobody", null, "tester", CancellationToken.None));
        await jobs.Runner.CancelAsync("dup", TimeSpan.FromSeconds(5), "tester", CancellationToken.None);
    }

    [Fact]
    public async Task A_job_updating_its_own_status_file_progress_is_kept()
    {
        await using var jobs = new JobsHarness();
        await jobs.StartAsync("self", "sh", "-c", "while [ ! -e go ]; do sleep 0.02; done");
        await jobs.PollUntilAsync("self", r => r is not null, "the job's record");
        var record = jobs.Files.ReadStatus("self").Record!;
        jobs.Files.WriteStatus(record with { Progress = 42, CurrentTask = "by itself" });

        var seen = await jobs.PollUntilAsync("self", r => r?.Progress == 42, "the job's own progress");
        Assert.Equal("by itself", seen!.CurrentTask);
        await File.WriteAllTextAsync(jobs.Dir.Combine("go"), "");
        Assert.Equal(42, (await jobs.PollUntilArchivedAsync("self")).Progress);
    }

    [Fact]
    public async Task A_job_started_by_an_earlier_runner_is_re_adopted_and_its_exit_code_recorded_by_the_waiting_parent()
    {
        await using var first = new JobsHarness();
        await first.StartAsync("long", "sh", "-c", "echo '##progress 30 copying'; while [ ! -e go ]; do sleep 0.02; done; exit 4");
        await first.PollUntilAsync("long", r => r?.Progress == 30, "progress 30");

        // A runner with no memory of the job (as after a restart): it adopts from the files and is not the job's parent.
        await using var restarted = first.Restarted();
        var adopted = await restarted.PollUntilAsync("long", r => r is { Status: JobStates.Running }, "adoption");
        Assert.Equal(30, adopted!.Progress);
        await File.WriteAllTextAsync(first.Dir.Combine("go"), "");
        var final = await restarted.PollUntilArchivedAsync("long");
        Assert.Equal(JobStates.Failed, final.Status);
        Assert.Equal(4, final.ExitCode);
    }
}
