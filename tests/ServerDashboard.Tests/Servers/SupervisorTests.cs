using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Processes;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Hosting;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Servers;

/// <summary>Power actions, exits and restart policies through the API, with real SampleGameServer daemons.</summary>
public sealed class SupervisorTests : IClassFixture<DashboardFactoryFixture>
{
    private readonly DashboardFactory factory;

    public SupervisorTests(DashboardFactoryFixture fixture) => factory = fixture.Factory;

    [Fact]
    public async Task A_started_server_goes_from_starting_to_running_when_its_ready_line_appears()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await CreateAsync(ServerRequests.SampleGameServer("ready-line", "--ready-delay-ms", "300"));

        var start = await api.PostAsync($"/api/v1/servers/{id}/start", null);

        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var accepted = (await start.ReadJsonAsync<ServerStatus>())!;
        Assert.Equal(ServerState.Starting, accepted.State);
        Assert.NotNull(accepted.Pid);
        var running = await DaemonSurvivalTests.WaitForStateAsync(api, id, ServerState.Running);
        Assert.Equal(accepted.Pid, running.Pid);
        var log = await File.ReadAllTextAsync(Path.Combine(factory.DataDirectory, "servers", $"{id}", "console.log"));
        Assert.Contains("Done (", log);
        await api.PostAsync($"/api/v1/servers/{id}/kill", null);
    }

    [Fact]
    public async Task Starting_a_running_server_is_a_409()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await StartRunningAsync(api, ServerRequests.SampleGameServer("twice"));

        var again = await api.PostAsync($"/api/v1/servers/{id}/start", null);

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already running", await again.Content.ReadAsStringAsync());
        await api.PostAsync($"/api/v1/servers/{id}/kill", null);
    }

    [Fact]
    public async Task A_port_in_use_refuses_the_start_and_names_the_owner()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var model = ServerRequests.SampleGameServer("port-squatted");
        model.Port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var id = await CreateAsync(model);

        var start = await api.PostAsync($"/api/v1/servers/{id}/start", null);

        Assert.Equal(HttpStatusCode.Conflict, start.StatusCode);
        var problem = await start.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"Cannot start 'port-squatted': its game port {model.Port} is already in use by pid {Environment.ProcessId} ({Process.GetCurrentProcess().ProcessName}).",
            problem.GetProperty("detail").GetString());
        Assert.False(File.Exists(Path.Combine(factory.DataDirectory, "run", $"{id}.pid")));
    }

    [Fact]
    public async Task A_server_that_ignores_sigterm_is_killed_after_the_stop_timeout()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var model = ServerRequests.SampleGameServer("stubborn", "--ignore-sigterm");
        model.Stop.TimeoutSeconds = 1;
        var id = await StartRunningAsync(api, model);
        var pid = (await StatusAsync(api, id)).Pid!.Value;

        var stop = await api.PostAsync($"/api/v1/servers/{id}/stop?wait=true", null);

        var status = (await stop.ReadJsonAsync<ServerStatus>())!;
        Assert.Equal(ServerState.Stopped, status.State);
        Assert.Equal("did not stop in time: killed", status.Message);
        Assert.Equal(9, status.LastExit!.Signal);
        Assert.False(ProcInfo.IsAlive(pid));
        Assert.Null(ProcInfo.State(pid)); // reaped: no zombie left
        Assert.Contains("Ignoring SIGTERM", await File.ReadAllTextAsync(Path.Combine(factory.DataDirectory, "servers", $"{id}", "console.log")));
    }

    [Fact]
    public async Task Stopping_a_server_that_spawned_a_child_leaves_no_descendant()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await StartRunningAsync(api, ServerRequests.SampleGameServer("with-child", "--spawn-child"));
        var pid = (await StatusAsync(api, id)).Pid!.Value;
        var log = Path.Combine(factory.DataDirectory, "servers", $"{id}", "console.log");
        var childLine = await Eventually.ReturnsAsync(
            async () => (await File.ReadAllLinesAsync(log)).FirstOrDefault(l => l.Contains("Spawned child pid")),
            line => line is not null, TimeSpan.FromSeconds(10), "the child's pid in the console");
        var childPid = int.Parse(childLine!.Split("Spawned child pid ")[1].Trim());
        Assert.True(ProcInfo.IsAlive(childPid));

        await api.PostAsync($"/api/v1/servers/{id}/stop?wait=true", null);

        Assert.False(ProcInfo.IsAlive(pid));
        Assert.False(ProcInfo.IsAlive(childPid));
        Assert.Empty(ProcInfo.MembersOfGroup(pid));
    }

    [Fact]
    public async Task A_crash_is_recorded_with_its_exit_code_and_restarted_by_the_on_failure_policy()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var model = ServerRequests.SampleGameServer("crasher");
        model.RestartPolicy = RestartPolicy.OnFailure;
        var id = await StartRunningAsync(api, model);
        var firstPid = (await StatusAsync(api, id)).Pid!.Value;

        await WriteToConsoleAsync(id, "crash 3");

        var crashed = await Eventually.ReturnsAsync(() => StatusAsync(api, id), s => s.LastExit is { Code: 3 }, TimeSpan.FromSeconds(10), "the crash");
        Assert.False(crashed.LastExit!.Requested);
        Assert.Null(ProcInfo.State(firstPid)); // reaped while the dashboard lives: no zombie
        var restarted = await Eventually.ReturnsAsync(() => StatusAsync(api, id), s => s.State == ServerState.Running && s.Pid != firstPid, TimeSpan.FromSeconds(20), "the restart");
        Assert.True(ProcInfo.IsAlive(restarted.Pid!.Value));
        await api.PostAsync($"/api/v1/servers/{id}/kill", null);
    }

    [Fact]
    public async Task A_clean_exit_is_stopped_and_not_restarted_by_on_failure()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var model = ServerRequests.SampleGameServer("clean-exit");
        model.RestartPolicy = RestartPolicy.OnFailure;
        var id = await StartRunningAsync(api, model);

        await WriteToConsoleAsync(id, "stop");

        var stopped = await Eventually.ReturnsAsync(() => StatusAsync(api, id), s => s.State == ServerState.Stopped, TimeSpan.FromSeconds(10), "the exit");
        Assert.Equal(0, stopped.LastExit!.Code);
        Assert.Null(stopped.Pid);
        Assert.False(factory.Services.GetRequiredService<ServerSupervisor>().IsRunning(id));
    }

    [Fact]
    public async Task Restart_gives_a_new_process_and_kill_stops_at_once()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await StartRunningAsync(api, ServerRequests.SampleGameServer("restartable"));
        var firstPid = (await StatusAsync(api, id)).Pid!.Value;

        var restart = await api.PostAsync($"/api/v1/servers/{id}/restart?wait=true", null);
        Assert.Equal(HttpStatusCode.Accepted, restart.StatusCode);
        var secondPid = (await DaemonSurvivalTests.WaitForStateAsync(api, id, ServerState.Running)).Pid!.Value;
        Assert.NotEqual(firstPid, secondPid);
        Assert.False(ProcInfo.IsAlive(firstPid));

        var kill = await api.PostAsync($"/api/v1/servers/{id}/kill", null);
        var killed = (await kill.ReadJsonAsync<ServerStatus>())!;
        Assert.Equal(ServerState.Stopped, killed.State);
        Assert.Equal(9, killed.LastExit!.Signal);
        Assert.False(ProcInfo.IsAlive(secondPid));
    }

    [Fact]
    public async Task Viewers_read_status_but_cannot_act_and_unknown_ids_are_404()
    {
        var viewer = await factory.CreateClientWithRoleAsync(Roles.Viewer);
        var id = await CreateAsync(ServerRequests.SampleGameServer("viewer-target"));

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/v1/servers/{id}/start", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/v1/servers/shutdown-all", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/v1/processes/cleanup", null)).StatusCode);
        var status = (await viewer.GetFromJsonAsync<ServerStatus>($"/api/v1/servers/{id}/status", JsonDefaults.Options))!;
        Assert.Equal(ServerState.Stopped, status.State);
        var op = await factory.CreateClientWithRoleAsync(Roles.Operator);
        Assert.Equal(HttpStatusCode.NotFound, (await op.PostAsync("/api/v1/servers/424242/start", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await op.GetAsync("/api/v1/servers/424242/status")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await op.PostAsync($"/api/v1/servers/{id}/stop", null)).StatusCode);
    }

    [Fact]
    public async Task A_running_server_cannot_be_deleted_and_shows_in_the_processes_api()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var id = await StartRunningAsync(api, ServerRequests.SampleGameServer("busy"));
        var pid = (await StatusAsync(api, id)).Pid!.Value;

        var delete = await api.DeleteAsync($"/api/v1/servers/{id}");
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);

        var list = await api.GetFromJsonAsync<JsonElement>("/api/v1/processes", JsonDefaults.Options);
        Assert.True(list.GetProperty("alive").GetInt32() >= 1);
        Assert.Equal(Path.Combine(factory.DataDirectory, "run"), list.GetProperty("pidDirectory").GetString());
        var process = await api.GetFromJsonAsync<JsonElement>($"/api/v1/processes/{pid}", JsonDefaults.Options);
        Assert.Equal($"{id}", process.GetProperty("serverId").GetString());
        Assert.True(process.GetProperty("pidFileExists").GetBoolean());
        Assert.True(process.GetProperty("memoryMb").GetDouble() > 1);
        Assert.True(process.GetProperty("openFiles").GetInt32() >= 3);
        Assert.True(process.GetProperty("threads").GetInt32() >= 1);
        var info = await api.GetFromJsonAsync<JsonElement>($"/api/v1/servers/{id}/process-info", JsonDefaults.Options);
        Assert.Equal(pid, info.GetProperty("pid").GetInt32());

        var cleanup = await api.DeleteAsync($"/api/v1/processes/{pid}");
        Assert.Equal(HttpStatusCode.OK, cleanup.StatusCode);
        Assert.False(ProcInfo.IsAlive(pid));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/processes/{pid}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/servers/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync("/api/v1/processes/cleanup?mode=everything", null)).StatusCode);
    }

    private async Task<int> CreateAsync(ServerModel model)
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var response = await admin.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.ReadJsonAsync<ServerModel>())!.Id!.Value;
    }

    private async Task<int> StartRunningAsync(HttpClient api, ServerModel model)
    {
        var id = await CreateAsync(model);
        var start = await api.PostAsync($"/api/v1/servers/{id}/start", null);
        Assert.True(start.StatusCode == HttpStatusCode.Accepted, await start.Content.ReadAsStringAsync());
        await DaemonSurvivalTests.WaitForStateAsync(api, id, ServerState.Running);
        return id;
    }

    private static async Task<ServerStatus> StatusAsync(HttpClient api, int id) =>
        (await api.GetFromJsonAsync<ServerStatus>($"/api/v1/servers/{id}/status", JsonDefaults.Options))!;

    /// <summary>What a console command for a server without RCON does: a line into its stdin FIFO.</summary>
    private async Task WriteToConsoleAsync(int id, string line)
    {
        await using var fifo = new FileStream(Path.Combine(factory.DataDirectory, "run", $"{id}.stdin"), FileMode.Open, FileAccess.Write);
        await fifo.WriteAsync(System.Text.Encoding.UTF8.GetBytes(line + "\n"));
    }
}
