using System.Net;
using System.Text.Json;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Hosting;

/// <summary>Black-box: the real dashboard executable, SIGKILLed and started again on the same data directory.</summary>
public sealed class DaemonSurvivalTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_server_survives_a_kill_9_of_the_dashboard_and_is_readopted_then_stopped()
    {
        using var data = new TempDirectory();
        var key = await DashboardProcess.CreateApiKeyAsync(data.Path);
        int serverId, pid;
        await using (var first = await DashboardProcess.StartAsync(data.Path))
        {
            using var api = first.Client(key);
            var created = await api.PostAsJsonAsync("/api/v1/servers", ServerRequests.SampleGameServer("survivor"), JsonDefaults.Options);
            serverId = (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;
            var start = await api.PostAsync($"/api/v1/servers/{serverId}/start", null);
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
            var running = await WaitForStateAsync(api, serverId, ServerState.Running);
            pid = running.Pid!.Value;
            Assert.False(running.LoadedFromDisk);

            await first.KillHardAsync();
        }

        Assert.True(ProcInfo.IsAlive(pid), "the server died with the dashboard");
        Assert.Equal(pid, ProcInfo.ProcessGroup(pid)); // its own group: the dashboard's death did not reach it

        await using var second = await DashboardProcess.StartAsync(data.Path);
        using var api2 = second.Client(key);
        var adopted = await WaitForStateAsync(api2, serverId, ServerState.Running);
        Assert.Equal(pid, adopted.Pid);
        Assert.True(adopted.LoadedFromDisk);
        Assert.Contains("PID file loading complete: loaded=1, cleaned=0", second.Output);

        var stop = await api2.PostAsync($"/api/v1/servers/{serverId}/stop?wait=true", null);
        Assert.Equal(HttpStatusCode.Accepted, stop.StatusCode);
        var stopped = (await stop.ReadJsonAsync<ServerStatus>())!;
        Assert.Equal(ServerState.Stopped, stopped.State);
        Assert.Equal("Unknown", stopped.LastExit!.Kind); // not our child any more: PID 1 reaped it
        Assert.False(ProcInfo.IsAlive(pid));
        Assert.False(File.Exists(Path.Combine(data.Path, "run", $"{serverId}.pid")));
    }

    [Fact]
    public async Task A_stop_accepted_before_the_dashboard_died_is_carried_out_after_its_restart_and_escalated()
    {
        using var data = new TempDirectory();
        var key = await DashboardProcess.CreateApiKeyAsync(data.Path);
        int serverId, pid;
        await using (var first = await DashboardProcess.StartAsync(data.Path))
        {
            using var api = first.Client(key);
            var model = ServerRequests.SampleGameServer("stubborn", "--ignore-sigterm");
            model.Stop = new StopModel { Mode = StopMode.SigTerm, TimeoutSeconds = 4 };
            var created = await api.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options);
            serverId = (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;
            await api.PostAsync($"/api/v1/servers/{serverId}/start", null);
            pid = (await WaitForStateAsync(api, serverId, ServerState.Running)).Pid!.Value;

            var stop = await api.PostAsync($"/api/v1/servers/{serverId}/stop", null);
            Assert.Equal(HttpStatusCode.Accepted, stop.StatusCode);
            await first.KillHardAsync(); // before the 4 s escalation
        }

        Assert.True(ProcInfo.IsAlive(pid), "the server ignores SIGTERM: only the escalation can stop it");

        await using var second = await DashboardProcess.StartAsync(data.Path);
        using var api2 = second.Client(key);
        var stopped = await WaitForStateAsync(api2, serverId, ServerState.Stopped);
        Assert.Equal("did not stop in time: killed", stopped.Message);
        await Eventually.ReturnsAsync(() => Task.FromResult(ProcInfo.IsAlive(pid)), alive => !alive, Timeout, "the daemon to be gone");
        Assert.False(File.Exists(Path.Combine(data.Path, "run", $"{serverId}.pid")));
    }

    [Fact]
    public async Task A_second_dashboard_on_the_same_data_directory_is_refused_until_the_first_is_killed()
    {
        using var data = new TempDirectory();
        await using var first = await DashboardProcess.StartAsync(data.Path);

        await using var second = DashboardProcess.Launch(data.Path);
        var exitCode = await second.WaitForExitAsync(Timeout);

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"another ServerDashboard (pid {first.Pid}, since ", second.Output);
        Assert.Contains($"at http://127.0.0.1:{first.Port}) holds {Path.Combine(data.Path, "dashboard.lock")}", second.Output);

        await first.KillHardAsync();
        await using var third = await DashboardProcess.StartAsync(data.Path);
        Assert.Contains("Holding the instance lock", third.Output);
    }

    [Fact]
    public async Task Status_and_stop_commands_report_and_stop_the_dashboard_but_not_its_servers()
    {
        using var data = new TempDirectory();
        var key = await DashboardProcess.CreateApiKeyAsync(data.Path);
        var notRunning = await ProcessRunner.RunAsync("ServerDashboard", ["status", "--data-dir", data.Path], Timeout);
        Assert.Equal(3, notRunning.ExitCode);
        Assert.Contains("not running", notRunning.StandardOutput);

        await using var dashboard = await DashboardProcess.StartAsync(data.Path);
        using var api = dashboard.Client(key);
        var created = await api.PostAsJsonAsync("/api/v1/servers", ServerRequests.SampleGameServer("status-cli"), JsonDefaults.Options);
        var serverId = (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;
        await api.PostAsync($"/api/v1/servers/{serverId}/start", null);
        var pid = (await WaitForStateAsync(api, serverId, ServerState.Running)).Pid!.Value;

        var status = await ProcessRunner.RunAsync("ServerDashboard", ["status", "--data-dir", data.Path], Timeout);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains($"pid {dashboard.Pid}", status.StandardOutput);
        Assert.Contains($"server {serverId} status-cli: Running, pid {pid}", status.StandardOutput);

        var stop = await ProcessRunner.RunAsync("ServerDashboard", ["stop", "--data-dir", data.Path, "--timeout", "30"], Timeout);
        Assert.True(stop.ExitCode == 0, stop.StandardError + stop.StandardOutput);
        Assert.Equal(0, await dashboard.WaitForExitAsync(Timeout));
        Assert.True(ProcInfo.IsAlive(pid), "stopping the dashboard must not stop its servers");

        // Clean up through a dashboard again (it re-adopts, then stops the server).
        await using var again = await DashboardProcess.StartAsync(data.Path);
        using var api2 = again.Client(key);
        await api2.PostAsync($"/api/v1/servers/{serverId}/kill", null);
        Assert.False(ProcInfo.IsAlive(pid));
    }

    internal static async Task<ServerStatus> WaitForStateAsync(HttpClient api, int serverId, ServerState state) =>
        await Eventually.ReturnsAsync(
            async () => (await api.GetFromJsonAsync<ServerStatus>($"/api/v1/servers/{serverId}/status", JsonDefaults.Options))!,
            s => s.State == state,
            Timeout,
            $"server {serverId} to be {state}");
}
