using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Servers;
using ServerDashboard.Servers.Monitoring;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Hosting;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Metrics;

/// <summary>GET /metrics on the real app with real SampleGameServer daemons: what it reports, who may read it, and promtool's verdict.</summary>
public sealed class MetricsEndpointTests(DashboardFactoryFixture fixture) : IClassFixture<DashboardFactoryFixture>
{
    private readonly DashboardFactory factory = fixture.Factory;

    [Fact]
    public async Task An_anonymous_scrape_from_an_address_not_on_the_allow_list_gets_401()
    {
        var anonymous = factory.CreateAnonymousClient();

        var response = await anonymous.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("serverdashboard_", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_wrong_bearer_key_gets_401()
    {
        var client = factory.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sdk_not-a-key");

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/metrics")).StatusCode);
    }

    [PromtoolFact]
    public async Task A_viewer_key_scrapes_a_running_server_with_its_live_figures_and_promtool_accepts_the_output()
    {
        var id = await StartRunningAsync(ServerRequests.SampleGameServer("metrics-running \"quoted\""));
        await factory.Services.GetRequiredService<MonitoringService>().RunTickAsync(CancellationToken.None);
        var viewer = await factory.CreateClientWithRoleAsync(Roles.Viewer);
        await viewer.GetAsync("/api/v1/servers"); // a request for the HTTP duration histogram

        var text = await viewer.GetStringAsync("/metrics");
        var samples = PrometheusText.Parse(text);

        Assert.Equal(1, samples.For("serverdashboard_server_up", id)!.Value);
        Assert.Equal("metrics-running \"quoted\"", samples.For("serverdashboard_server_up", id)!.Labels["server"]);
        Assert.Equal(1, samples.For("serverdashboard_server_state", id, ("state", "Running"))!.Value);
        Assert.Equal(0, samples.For("serverdashboard_server_state", id, ("state", "Stopped"))!.Value);
        Assert.Equal(Enum.GetValues<ServerState>().Length, samples.Count(s => s.Name == "serverdashboard_server_state" && s.Has("id", id.ToString())));
        Assert.True(samples.For("serverdashboard_server_resident_memory_bytes", id)!.Value > 1_000_000);
        Assert.True(samples.For("serverdashboard_server_threads", id)!.Value >= 1);
        Assert.True(samples.For("serverdashboard_server_open_fds", id)!.Value >= 3);
        Assert.True(samples.For("serverdashboard_server_cpu_seconds_total", id)!.Value > 0);
        Assert.NotNull(samples.For("serverdashboard_server_log_lines_total", id));
        Assert.Equal(0, samples.For("serverdashboard_server_crashes_total", id)!.Value);
        Assert.Equal(0, samples.For("serverdashboard_server_restarts_total", id)!.Value);
        Assert.Contains(samples, s => s.Name == "serverdashboard_jobs_running");
        Assert.Contains(samples, s => s.Name == "serverdashboard_jobs_finished_total" && s.Has("status", "failed"));
        Assert.Contains(samples, s => s.Name == "process_cpu_seconds_total");
        Assert.Contains(samples, s => s.Name == "process_working_set_bytes" && s.Value > 0);
        Assert.Contains(samples, s => s.Name == "dotnet_collection_count_total");
        Assert.Contains(samples, s => s.Name == "microsoft_aspnetcore_hosting_http_server_request_duration_count" && s.Has("http_route", "/api/v1/servers/"));

        var (exitCode, output) = await PrometheusTools.CheckMetricsAsync(text);
        Assert.True(exitCode == 0, $"promtool check metrics exited {exitCode}: {output}");
    }

    [Fact]
    public async Task The_key_also_works_as_a_bearer_token_which_is_how_prometheus_sends_it()
    {
        var viewer = await factory.CreateClientWithRoleAsync(Roles.Viewer);
        var key = viewer.DefaultRequestHeaders.GetValues(ApiKeyAuthenticationHandler.HeaderName).Single();
        var bearer = factory.CreateAnonymousClient();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var response = await bearer.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task A_restart_is_counted_and_a_deleted_server_loses_every_series()
    {
        var id = await StartRunningAsync(ServerRequests.SampleGameServer("metrics-restarted"));
        var operatorApi = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var restart = await operatorApi.PostAsync($"/api/v1/servers/{id}/restart?wait=true", null);
        Assert.Equal(HttpStatusCode.Accepted, restart.StatusCode);
        await DaemonSurvivalTests.WaitForStateAsync(operatorApi, id, ServerState.Running);
        var viewer = await factory.CreateClientWithRoleAsync(Roles.Viewer);

        var before = PrometheusText.Parse(await viewer.GetStringAsync("/metrics"));
        Assert.Equal(1, before.For("serverdashboard_server_restarts_total", id)!.Value);
        Assert.Equal(0, before.For("serverdashboard_server_crashes_total", id)!.Value);

        Assert.Equal(HttpStatusCode.Accepted, (await operatorApi.PostAsync($"/api/v1/servers/{id}/stop?wait=true", null)).StatusCode);
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var deleted = await admin.DeleteAsync($"/api/v1/servers/{id}");
        Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync());

        var after = PrometheusText.Parse(await viewer.GetStringAsync("/metrics"));
        Assert.DoesNotContain(after, s => s.Has("id", id.ToString()));
    }

    [Fact]
    public async Task Rcon_commands_are_counted_with_their_latency_and_console_lines_are_counted()
    {
        var id = await StartRunningAsync(ConsoleCommandsApiTests.RconServer("metrics-rcon", "{rconPassword}"));
        var operatorApi = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var sent = await operatorApi.PostAsJsonAsync($"/api/v1/servers/{id}/commands", new { command = "echo metrics" }, JsonDefaults.Options);
        Assert.True(sent.StatusCode == HttpStatusCode.OK, await sent.Content.ReadAsStringAsync());
        var viewer = await factory.CreateClientWithRoleAsync(Roles.Viewer);

        var samples = await Eventually.ReturnsAsync(
            async () => PrometheusText.Parse(await viewer.GetStringAsync("/metrics")),
            s => s.For("serverdashboard_server_log_lines_total", id)?.Value > 0,
            TimeSpan.FromSeconds(30), "console lines to be counted");

        // Ours, plus the RCON health check's "list" if a monitoring tick (every 5 s) came by since the server started.
        var ok = samples.For("serverdashboard_server_rcon_commands_total", id, ("outcome", "ok"))!.Value;
        Assert.InRange(ok, 1, 2);
        Assert.Equal(0, samples.For("serverdashboard_server_rcon_commands_total", id, ("outcome", "error"))!.Value);
        Assert.Equal(ok, samples.For("serverdashboard_server_rcon_command_duration_seconds_count", id)!.Value);
        Assert.True(samples.For("serverdashboard_server_rcon_command_duration_seconds_sum", id)!.Value > 0);
        Assert.Equal(ok, samples.For("serverdashboard_server_rcon_command_duration_seconds_bucket", id, ("le", "+Inf"))!.Value);
    }

    private async Task<int> StartRunningAsync(ServerModel model)
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var created = await admin.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;
        var start = await admin.PostAsync($"/api/v1/servers/{id}/start", null);
        Assert.True(start.StatusCode == HttpStatusCode.Accepted, await start.Content.ReadAsStringAsync());
        await DaemonSurvivalTests.WaitForStateAsync(admin, id, ServerState.Running);
        return id;
    }
}
