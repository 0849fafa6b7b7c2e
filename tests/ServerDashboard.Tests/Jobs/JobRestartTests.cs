using System.Net;
using ServerDashboard.Api;
using ServerDashboard.Jobs;
using ServerDashboard.Tests.Infrastructure;
using ServerDashboard.Tests.Processes;

namespace ServerDashboard.Tests.Jobs;

/// <summary>The real dashboard, SIGKILLed and restarted around running jobs; the REST API's answers.</summary>
public sealed class JobRestartTests
{
    private static async Task<JobDetails?> GetJobAsync(HttpClient client, string name)
    {
        var response = await client.GetAsync($"/api/v1/jobs/{name}?logLines=5");
        return response.StatusCode == HttpStatusCode.NotFound ? null : await response.Content.ReadFromJsonAsync<JobDetails>(JsonDefaults.Options);
    }

    private static string StepScript(string dir) =>
        $"echo '##progress 20 first'; while [ ! -e {dir}/go1 ]; do sleep 0.05; done; echo '##progress 70 second'; while [ ! -e {dir}/go2 ]; do sleep 0.05; done; exit 6";

    [Fact]
    public async Task A_job_running_across_a_dashboard_SIGKILL_and_restart_is_re_adopted_and_its_completion_recorded()
    {
        using var data = new TempDirectory("sd-jobrestart");
        string key = await DashboardProcess.CreateApiKeyAsync(data.Path);
        DashboardProcess? dashboard = await DashboardProcess.StartAsync(data.Path);
        int pid = 0;
        try
        {
            using var client = dashboard.Client(key);
            var created = await client.PostAsJsonAsync("/api/v1/jobs", new { name = "across", command = new[] { "sh", "-c", StepScript(data.Path) } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            pid = (await created.Content.ReadFromJsonAsync<JobView>(JsonDefaults.Options))!.Pid;

            var again = await client.PostAsJsonAsync("/api/v1/jobs", new { name = "across", command = new[] { "true" } });
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Contains("'across' is already running", await again.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsJsonAsync("/api/v1/jobs/nobody/cancel", new { timeoutSeconds = 1 })).StatusCode);
            var missing = await client.PostAsJsonAsync("/api/v1/jobs", new { name = "ghost", command = new[] { "no-such-program-xyz" } });
            Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);

            await Eventually.ReturnsAsync(() => GetJobAsync(client, "across"), j => j?.Job.Progress == 20, TimeSpan.FromSeconds(20), "progress 20");
            await dashboard.KillHardAsync();
            await dashboard.DisposeAsync();
            dashboard = null; // disposed: a failing restart below must report its own error, not a second dispose

            dashboard = await DashboardProcess.StartAsync(data.Path);
            using var client2 = dashboard.Client(key);
            var adopted = await GetJobAsync(client2, "across");
            Assert.Equal(JobStates.Running, adopted!.Job.Status);
            Assert.Equal(pid, adopted.Job.Pid);
            await File.WriteAllTextAsync(data.Combine("go1"), "");
            var moved = await Eventually.ReturnsAsync(() => GetJobAsync(client2, "across"), j => j?.Job.Progress == 70, TimeSpan.FromSeconds(20), "progress 70 after the restart");
            Assert.Equal("second", moved!.Job.CurrentTask);
            await File.WriteAllTextAsync(data.Combine("go2"), "");
            var done = await Eventually.ReturnsAsync(() => GetJobAsync(client2, "across"), j => j?.Job.Status != JobStates.Running, TimeSpan.FromSeconds(20), "the job to end");
            Assert.Equal(JobStates.Failed, done!.Job.Status);
            Assert.Equal(6, done.Job.ExitCode); // written by the waiting parent: this dashboard is not the job's parent
        }
        finally
        {
            if (dashboard is not null)
            {
                await dashboard.DisposeAsync();
            }

            if (pid > 0)
            {
                ProcessesHarness.KillAndReap(pid);
            }
        }
    }

    [Fact]
    public async Task A_job_that_ends_while_the_dashboard_is_down_keeps_its_exit_code_and_one_whose_record_is_destroyed_ends_lost()
    {
        using var data = new TempDirectory("sd-jobrestart");
        string key = await DashboardProcess.CreateApiKeyAsync(data.Path);
        DashboardProcess? dashboard = await DashboardProcess.StartAsync(data.Path);
        var files = new JobFiles(data.Combine("jobs"));
        List<int> pids = [];
        try
        {
            using var client = dashboard.Client(key);
            foreach (var name in new[] { "kept", "destroyed" })
            {
                var created = await client.PostAsJsonAsync("/api/v1/jobs", new { name, command = new[] { "sh", "-c", $"while [ ! -e {data.Path}/go-{name} ]; do sleep 0.05; done; exit 9" } });
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                pids.Add((await created.Content.ReadFromJsonAsync<JobView>(JsonDefaults.Options))!.Pid);
            }

            await dashboard.KillHardAsync();
            await File.WriteAllTextAsync(data.Combine("go-kept"), "");
            await File.WriteAllTextAsync(data.Combine("go-destroyed"), "");
            await Eventually.TrueAsync(() => File.Exists(files.ExitPath("kept")) && File.Exists(files.ExitPath("destroyed")), TimeSpan.FromSeconds(20), "both jobs to end");
            File.Delete(files.ExitPath("destroyed")); // the record of how it ended is gone

            await dashboard.DisposeAsync();
            dashboard = null;
            dashboard = await DashboardProcess.StartAsync(data.Path);
            using var client2 = dashboard.Client(key);
            var kept = await Eventually.ReturnsAsync(() => GetJobAsync(client2, "kept"), j => j?.Job.Status != JobStates.Running, TimeSpan.FromSeconds(20), "kept to be recorded");
            Assert.Equal(JobStates.Failed, kept!.Job.Status);
            Assert.Equal(9, kept.Job.ExitCode);
            var lost = await Eventually.ReturnsAsync(() => GetJobAsync(client2, "destroyed"), j => j?.Job.Status != JobStates.Running, TimeSpan.FromSeconds(20), "destroyed to be recorded");
            Assert.Equal(JobStates.Lost, lost!.Job.Status);
            Assert.Null(lost.Job.ExitCode);

            var list = await client2.GetFromJsonAsync<JobList>("/api/v1/jobs", JsonDefaults.Options);
            Assert.Empty(list!.Running);
            Assert.Contains(list.Recent, j => j.Name == "kept");
        }
        finally
        {
            if (dashboard is not null)
            {
                await dashboard.DisposeAsync();
            }

            pids.ForEach(ProcessesHarness.KillAndReap);
        }
    }
}
