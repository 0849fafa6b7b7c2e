using System.Net;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Supervision;

/// <summary>Black-box: the real dashboard executable, SIGKILLed and started again; stored states come back.</summary>
public sealed class StatesAcrossRestartsTests
{
    [Fact]
    public async Task A_server_killed_while_the_dashboard_was_down_is_crashed_and_an_error_survives_the_restart()
    {
        using var data = new TempDirectory();
        var key = await DashboardProcess.CreateApiKeyAsync(data.Path);
        int victimId, brokenId, pid;
        await using (var first = await DashboardProcess.StartAsync(data.Path))
        {
            using var api = first.Client(key);
            victimId = await CreateAsync(api, ServerRequests.SampleGameServer("victim"));
            Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/v1/servers/{victimId}/start", null)).StatusCode);
            pid = (await SupervisionTests.WaitForAsync(api, victimId, s => s.State == ServerState.Running, "Running")).Pid!.Value;

            using var squatter = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            squatter.Start();
            var broken = ServerRequests.SampleGameServer("broken");
            broken.Port = ((IPEndPoint)squatter.LocalEndpoint).Port;
            brokenId = await CreateAsync(api, broken);
            Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsync($"/api/v1/servers/{brokenId}/start", null)).StatusCode);
            Assert.Equal(ServerState.Error, (await SupervisionTests.StatusAsync(api, brokenId)).State);
            await Task.Delay(500); // the transition store writes in the background
            await first.KillHardAsync();
        }

        System.Diagnostics.Process.GetProcessById(pid).Kill(); // SIGKILL, with nobody watching
        await Eventually.TrueAsync(() => !ProcInfo.IsAlive(pid), TimeSpan.FromSeconds(10), "the server to die");

        await using var second = await DashboardProcess.StartAsync(data.Path);
        using var api2 = second.Client(key);
        var victim = await SupervisionTests.StatusAsync(api2, victimId);
        var brokenAfter = await SupervisionTests.StatusAsync(api2, brokenId);

        Assert.Equal(ServerState.Crashed, victim.State);
        Assert.Equal("vanished while the dashboard was down", victim.Message);
        Assert.Null(victim.Pid);
        Assert.Equal(ServerState.Error, brokenAfter.State);
        Assert.StartsWith("Cannot start 'broken': its game port", brokenAfter.Message);
    }

    private static async Task<int> CreateAsync(HttpClient api, ServerModel model)
    {
        var response = await api.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.ReadJsonAsync<ServerModel>())!.Id!.Value;
    }
}
