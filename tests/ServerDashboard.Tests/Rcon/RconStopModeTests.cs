using ServerDashboard.Testing;
using System.Net;
using ServerDashboard.Auth;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Hosting;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Rcon;

/// <summary>Stop mode Rcon through the API: the supervisor sends the stop command over RCON before any signal.</summary>
public sealed class RconStopModeTests(DashboardFactoryFixture fixture) : IClassFixture<DashboardFactoryFixture>
{
    private readonly DashboardFactory factory = fixture.Factory;

    [Fact]
    public async Task A_server_with_stop_mode_rcon_is_stopped_by_its_rcon_stop_command()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await StartRunningAsync(api, RconServer("rcon-stop", serverPassword: "{rconPassword}"));

        var stop = await api.PostAsync($"/api/v1/servers/{id}/stop?wait=true", null);

        var status = (await stop.ReadJsonAsync<ServerStatus>())!;
        Assert.Equal(ServerState.Stopped, status.State);
        Assert.Null(status.Message); // not "killed"
        Assert.Equal(0, status.LastExit!.Code);
        Assert.True(status.LastExit.Requested);
        var log = await ConsoleLogAsync(id);
        Assert.Contains("[RCON] stop", log);
        Assert.Contains("Stopped", log);
        Assert.DoesNotContain("Received SIGTERM", log);
    }

    [Fact]
    public async Task When_rcon_refuses_the_password_the_stop_falls_back_to_sigterm()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await StartRunningAsync(api, RconServer("rcon-stop-fallback", serverPassword: "not-the-stored-one"));

        var stop = await api.PostAsync($"/api/v1/servers/{id}/stop?wait=true", null);

        var status = (await stop.ReadJsonAsync<ServerStatus>())!;
        Assert.Equal(ServerState.Stopped, status.State);
        Assert.Equal(0, status.LastExit!.Code);
        var log = await ConsoleLogAsync(id);
        Assert.Contains("used a wrong password", log);
        Assert.Contains("Received SIGTERM", log);
        Assert.DoesNotContain("[RCON] stop", log);
    }

    /// <summary>The sample server with RCON on a free port; <paramref name="serverPassword"/> is what the process gets.</summary>
    private static ServerModel RconServer(string name, string serverPassword)
    {
        var model = ServerRequests.SampleGameServer(name, "--heartbeat-ms", "0", "--rcon-port", "{rconPort}");
        model.Environment = new() { ["RCON_PASSWORD"] = serverPassword };
        model.Rcon = new RconModel { Enabled = true, Port = FreePort.Next() };
        model.Stop = new StopModel { Mode = StopMode.Rcon, Command = "stop", TimeoutSeconds = 10 };
        return model;
    }

    private Task<string> ConsoleLogAsync(int id) =>
        File.ReadAllTextAsync(Path.Combine(factory.DataDirectory, "servers", $"{id}", "console.log"));

    private async Task<int> StartRunningAsync(HttpClient api, ServerModel model)
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var created = await admin.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;
        var start = await api.PostAsync($"/api/v1/servers/{id}/start", null);
        Assert.True(start.StatusCode == HttpStatusCode.Accepted, await start.Content.ReadAsStringAsync());
        await DaemonSurvivalTests.WaitForStateAsync(api, id, ServerState.Running);
        return id;
    }
}
