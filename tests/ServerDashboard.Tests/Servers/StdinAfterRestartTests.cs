using System.Net;
using ServerDashboard.Api;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Hosting;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Servers;

/// <summary>Black-box: the stdin FIFO still reaches a server after the dashboard that started it was SIGKILLed.</summary>
public sealed class StdinAfterRestartTests
{
    [Fact]
    public async Task A_command_reaches_over_stdin_a_server_started_before_a_dashboard_restart()
    {
        using var data = new TempDirectory();
        var key = await DashboardProcess.CreateApiKeyAsync(data.Path);
        int serverId, pid;
        await using (var first = await DashboardProcess.StartAsync(data.Path))
        {
            using var api = first.Client(key);
            var created = await api.PostAsJsonAsync("/api/v1/servers", ServerRequests.SampleGameServer("stdin-survivor", "--heartbeat-ms", "0"), JsonDefaults.Options);
            serverId = (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;
            Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/v1/servers/{serverId}/start", null)).StatusCode);
            pid = (await DaemonSurvivalTests.WaitForStateAsync(api, serverId, ServerState.Running)).Pid!.Value;
            await first.KillHardAsync();
        }

        try
        {
            await using var second = await DashboardProcess.StartAsync(data.Path);
            using var api2 = second.Client(key);
            await DaemonSurvivalTests.WaitForStateAsync(api2, serverId, ServerState.Running);

            var sent = await api2.PostAsJsonAsync($"/api/v1/servers/{serverId}/commands", new { command = "say after restart" }, JsonDefaults.Options);

            Assert.True(sent.StatusCode == HttpStatusCode.OK, await sent.Content.ReadAsStringAsync());
            Assert.Equal("stdin", (await sent.ReadJsonAsync<CommandResponse>())!.Via);
            var log = Path.Combine(data.Path, "servers", $"{serverId}", "console.log");
            await Eventually.TrueAsync(() => File.ReadAllText(log).Contains("[Server] after restart"), TimeSpan.FromSeconds(15), "the reply in console.log");
            await api2.PostAsync($"/api/v1/servers/{serverId}/kill", null);
        }
        finally
        {
            if (ProcInfo.IsAlive(pid))
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill(entireProcessTree: true);
            }
        }
    }
}
