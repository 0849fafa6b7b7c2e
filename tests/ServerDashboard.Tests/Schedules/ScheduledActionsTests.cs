using System.Net;
using ServerDashboard.Api;
using ServerDashboard.Auth;
using ServerDashboard.Schedules;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Hosting;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Schedules;

/// <summary>
/// Schedules that really act: the running app (real SQLite, real scheduler on the system clock) and real
/// SampleGameServer daemons. One-time schedules two seconds ahead keep the tests short.
/// </summary>
public sealed class ScheduledActionsTests(DashboardFactoryFixture fixture) : IClassFixture<DashboardFactoryFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);
    private readonly DashboardFactory factory = fixture.Factory;

    [Fact]
    public async Task A_scheduled_restart_restarts_a_running_server_and_is_audited_as_system_with_the_schedules_name()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await StartRunningAsync(ServerRequests.SampleGameServer("sched-restart", "--heartbeat-ms", "0"));
        var before = await DaemonSurvivalTests.WaitForStateAsync(api, id, ServerState.Running);

        var schedule = await ScheduleSoonAsync(api, id, new { name = "restart soon", action = "Restart", onlyIfRunning = true });
        var run = await WaitForRunAsync(api, id, schedule.Id);

        Assert.True(run.Outcome == "Succeeded", run.Detail);
        var after = await DaemonSurvivalTests.WaitForStateAsync(api, id, ServerState.Running);
        Assert.NotEqual(before.Pid, after.Pid);
        Assert.True(after.StartedAt > before.StartedAt);
        var audit = await api.GetFromJsonAsync<List<AuditEntryModel>>($"/api/v1/audit?serverId={id}", JsonDefaults.Options);
        var scheduled = Assert.Single(audit!, e => e.Action == ScheduleService.RunAction);
        Assert.Equal("system", scheduled.Actor);
        Assert.Contains("restart soon", scheduled.Detail);
        Assert.Contains(audit!, e => e.Action == "Restart" && e.Actor == "system");
        await api.PostAsync($"/api/v1/servers/{id}/kill", null);
    }

    [Fact]
    public async Task A_scheduled_command_reaches_the_servers_console()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await StartRunningAsync(ServerRequests.SampleGameServer("sched-command", "--heartbeat-ms", "0"));

        var schedule = await ScheduleSoonAsync(api, id, new { name = "greeting", action = "Command", command = "say scheduled hello" });
        var run = await WaitForRunAsync(api, id, schedule.Id);

        Assert.True(run.Outcome == "Succeeded", run.Detail);
        Assert.Contains("stdin", run.Detail);
        var consoleLog = Path.Combine(factory.DataDirectory, "servers", $"{id}", "console.log");
        await Eventually.TrueAsync(() => File.Exists(consoleLog) && File.ReadAllText(consoleLog).Contains("[Server] scheduled hello"), Timeout, "the command's echo in console.log");
        var view = await api.GetFromJsonAsync<ScheduleView>($"/api/v1/servers/{id}/schedules/{schedule.Id}", JsonDefaults.Options);
        Assert.Equal("Succeeded", view!.LastRun!.Outcome);
        Assert.Null(view.NextRunAt); // a one-time schedule is done
        await api.PostAsync($"/api/v1/servers/{id}/kill", null);
    }

    [Fact]
    public async Task Only_if_running_skips_a_stopped_server_and_says_why()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await CreateAsync(ServerRequests.SampleGameServer("sched-skip"));

        var schedule = await ScheduleSoonAsync(api, id, new { name = "restart if up", action = "Restart", onlyIfRunning = true });
        var run = await WaitForRunAsync(api, id, schedule.Id);

        Assert.Equal("Skipped", run.Outcome);
        Assert.Contains("not running", run.Detail);
        Assert.Equal(ServerState.Stopped, (await api.GetFromJsonAsync<ServerStatus>($"/api/v1/servers/{id}/status", JsonDefaults.Options))!.State);
    }

    [Fact]
    public async Task A_scheduled_job_starts_a_run_of_its_job_type()
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var id = await CreateAsync(ServerRequests.SampleGameServer("sched-job"));
        var typeName = "sched-echo-" + Guid.NewGuid().ToString("N")[..6];
        var type = await admin.PostAsJsonAsync("/api/v1/job-types", new { name = typeName, command = new[] { "/bin/sh", "-c", "echo scheduled-job" } });
        Assert.True(type.StatusCode == HttpStatusCode.Created, await type.Content.ReadAsStringAsync());

        var schedule = await ScheduleSoonAsync(admin, id, new { name = "job soon", action = "Job", jobType = typeName });
        var run = await WaitForRunAsync(admin, id, schedule.Id);

        Assert.True(run.Outcome == "Succeeded", run.Detail);
        var jobName = run.Detail.Split("as job ")[1].Split(' ')[0];
        Assert.StartsWith($"schedule-{schedule.Id}-", jobName);
        await Eventually.ReturnsAsync(
            async () => (await admin.GetFromJsonAsync<JobDetails>($"/api/v1/jobs/{jobName}", JsonDefaults.Options))!,
            d => d.Job.Status == ServerDashboard.Jobs.JobStates.Succeeded && d.Log.Contains("scheduled-job"), Timeout, $"job {jobName} to succeed");
    }

    private static async Task<ScheduleView> ScheduleSoonAsync(HttpClient api, int serverId, object fields)
    {
        var body = System.Text.Json.JsonSerializer.SerializeToNode(fields)!.AsObject();
        body["runAt"] = DateTimeOffset.UtcNow.AddSeconds(2);
        var created = await api.PostAsJsonAsync($"/api/v1/servers/{serverId}/schedules", body);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (await created.ReadJsonAsync<ScheduleView>())!;
    }

    private static async Task<ScheduleRunView> WaitForRunAsync(HttpClient api, int serverId, int scheduleId) =>
        (await Eventually.ReturnsAsync(
            async () => (await api.GetFromJsonAsync<List<ScheduleRunView>>($"/api/v1/servers/{serverId}/schedules/{scheduleId}/runs", JsonDefaults.Options))!,
            runs => runs.Count > 0, Timeout, $"a run of schedule {scheduleId}")).Single();

    private async Task<int> CreateAsync(ServerModel model)
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var created = await admin.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;
    }

    private async Task<int> StartRunningAsync(ServerModel model)
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await CreateAsync(model);
        var start = await api.PostAsync($"/api/v1/servers/{id}/start", null);
        Assert.True(start.StatusCode == HttpStatusCode.Accepted, await start.Content.ReadAsStringAsync());
        await DaemonSurvivalTests.WaitForStateAsync(api, id, ServerState.Running);
        return id;
    }
}
