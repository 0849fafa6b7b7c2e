using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Rcon;
using ServerDashboard.Servers;
using ServerDashboard.Testing;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Supervision;

/// <summary>The RCON health check talks RCON (authenticates and runs a cheap command), not just connects.</summary>
public sealed class RconHealthCheckTests(ShortSupervisionFixture fixture) : IClassFixture<ShortSupervisionFixture>
{
    private readonly DashboardFactory factory = fixture.Factory;

    [Fact]
    public async Task A_server_answering_RCON_stays_healthy_on_one_kept_open_connection()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await StartAsync(api, "rcon-healthy", "{rconPassword}");

        var healthy = await SupervisionTests.WaitForAsync(api, id, s => s.Health is { Healthy: true }, "a healthy check");
        // A few more ticks: still healthy, and the checks used the dashboard's kept-open RCON connection.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var later = await SupervisionTests.StatusAsync(api, id);
        Assert.True(later.Health is { Healthy: true }, later.Health?.Reason);
        Assert.Equal(healthy.Health!.Since, later.Health!.Since);
        Assert.True(factory.Services.GetRequiredService<RconConnections>().IsConnected(id));
        Assert.True(factory.Services.GetRequiredService<RconConnections>().Latency(id).Count >= 2, "the check commands went over RCON");
        await api.PostAsync($"/api/v1/servers/{id}/kill", null);
    }

    [Fact]
    public async Task A_server_whose_RCON_refuses_the_password_turns_unhealthy_though_its_port_accepts_connections()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        // The game runs RCON with another password than the definition's: the port accepts connections, RCON refuses us.
        var id = await StartAsync(api, "rcon-wrong-password", "not-the-definition-password-42");
        var rconPort = (await api.GetFromJsonAsync<ServerModel>($"/api/v1/servers/{id}", JsonDefaults.Options))!.Rcon.Port;

        var unhealthy = await SupervisionTests.WaitForAsync(api, id, s => s.Health is { Healthy: false }, "Unhealthy", TimeSpan.FromSeconds(20));

        Assert.Equal(ServerState.Running, unhealthy.State);
        Assert.Equal($"RCON port {rconPort} refused the password 3 checks", unhealthy.Health!.Reason);
        await api.PostAsync($"/api/v1/servers/{id}/kill", null);
    }

    private async Task<int> StartAsync(HttpClient api, string name, string serverPassword)
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var model = ServerRequests.SampleGameServer(name, "--rcon-port", "{rconPort}");
        model.Environment = new() { ["RCON_PASSWORD"] = serverPassword };
        model.Rcon = new RconModel { Enabled = true, Port = FreePort.Next(), Password = "definition-password-123" };
        var created = await admin.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        int id = (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;
        var start = await api.PostAsync($"/api/v1/servers/{id}/start", null);
        Assert.True(start.StatusCode == HttpStatusCode.Accepted, await start.Content.ReadAsStringAsync());
        await SupervisionTests.WaitForAsync(api, id, s => s.State == ServerState.Running, "Running");
        return id;
    }
}
