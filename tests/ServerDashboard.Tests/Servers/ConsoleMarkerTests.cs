using System.Net;
using ServerDashboard.Auth;
using ServerDashboard.Logs;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Hosting;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Servers;

/// <summary>The "[dashboard] ..." lines power actions and state changes leave in the console stream, with real SampleGameServer daemons.</summary>
public sealed class ConsoleMarkerTests(DashboardFactoryFixture fixture) : IClassFixture<DashboardFactoryFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly DashboardFactory factory = fixture.Factory;

    [Fact]
    public async Task Start_and_stop_leave_starting_started_stopping_and_stopped_lines_around_the_servers_own_output()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await StartRunningAsync(api, ServerRequests.SampleGameServer("markers-stop", "--heartbeat-ms", "0"));

        var stop = await api.PostAsync($"/api/v1/servers/{id}/stop?wait=true", null);
        Assert.Equal(HttpStatusCode.Accepted, stop.StatusCode);

        var lines = await WaitForMarkerAsync(api, id, "Stopped: ");
        var markers = Markers(lines);
        Assert.Equal("[dashboard] Starting…", markers[0]);
        Assert.Matches(@"^\[dashboard\] Started \(pid \d+\)$", markers[1]);
        Assert.Equal("[dashboard] Running", markers[2]);
        Assert.Equal("[dashboard] Stopping (SIGTERM)…", markers[3]);
        Assert.Matches(@"^\[dashboard\] Stopped: exit code 0 after \d+\.\d s$", markers[4]);
        // The server's shutdown output comes between the Stopping and the Stopped line.
        var stopping = IndexOf(lines, "[dashboard] Stopping (SIGTERM)…");
        Assert.Contains(lines.Skip(stopping + 1).TakeWhile(l => l.Source != LogMarkers.Source), l => l.Source == LogMarkers.ConsoleSource);
    }

    [Fact]
    public async Task Kill_leaves_a_killed_line()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await StartRunningAsync(api, ServerRequests.SampleGameServer("markers-kill", "--heartbeat-ms", "0"));

        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/v1/servers/{id}/kill", null)).StatusCode);

        var lines = await WaitForMarkerAsync(api, id, "Killed (SIGKILL)");
        Assert.Equal("[dashboard] Killed (SIGKILL)", Markers(lines)[^1]);
    }

    [Fact]
    public async Task A_crash_says_its_exit_code_and_uptime_and_the_restart_policy_says_when_it_restarts()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var model = ServerRequests.SampleGameServer("markers-crash", "--heartbeat-ms", "0");
        model.RestartPolicy = RestartPolicy.OnFailure;
        var id = await StartRunningAsync(api, model);

        var sent = await api.PostAsJsonAsync($"/api/v1/servers/{id}/commands", new { command = "crash 2" }, JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);

        var lines = await WaitForMarkerAsync(api, id, "Started (pid", occurrence: 2);
        var markers = Markers(lines);
        var crashed = markers.FindIndex(m => m.StartsWith("[dashboard] Crashed: ", StringComparison.Ordinal));
        Assert.Matches(@"^\[dashboard\] Crashed: exit code 2 after \d+\.\d s$", markers[crashed]);
        // The first delay of the back-off: 1 s shortened by up to 20 % jitter.
        Assert.Matches(@"^\[dashboard\] Restarting in (1|0\.[89]) s \(OnFailure, attempt 1\)$", markers[crashed + 1]);
        Assert.Equal("[dashboard] Starting…", markers[crashed + 2]);
        await api.PostAsync($"/api/v1/servers/{id}/kill", null);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_commands_echo_comes_before_the_output_it_causes(bool overRcon)
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var name = overRcon ? "echo-order-rcon" : "echo-order-stdin";
        var id = await StartRunningAsync(api, overRcon
            ? ConsoleCommandsApiTests.RconServer(name, "{rconPassword}")
            : ServerRequests.SampleGameServer(name, "--heartbeat-ms", "0"));

        var sent = await api.PostAsJsonAsync($"/api/v1/servers/{id}/commands", new { command = "say ordered-" + name }, JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);

        var lines = await Eventually.ReturnsAsync(() => LogsAsync(api, id), l => l.Any(x => x.Text.Contains("[Server] ordered-" + name)), Timeout, "the server's output");
        var echo = lines.ToList().FindIndex(l => l.Source == (overRcon ? "rcon" : "stdin") && l.Text == "> say ordered-" + name);
        var output = lines.ToList().FindIndex(l => l.Source == LogMarkers.ConsoleSource && l.Text.Contains("ordered-" + name));
        Assert.True(echo >= 0, "no echo line");
        Assert.True(echo < output, $"the echo (#{echo}) comes after the output it caused (#{output}):\n{string.Join('\n', lines.Select(l => $"{l.Source}: {l.Text}"))}");
        await api.PostAsync($"/api/v1/servers/{id}/kill", null);
    }

    private static List<string> Markers(IReadOnlyList<LogLine> lines) =>
        lines.Where(l => l.Source == LogMarkers.Source).Select(l => l.Text).ToList();

    private static int IndexOf(IReadOnlyList<LogLine> lines, string text) => lines.ToList().FindIndex(l => l.Text == text);

    private static Task<IReadOnlyList<LogLine>> WaitForMarkerAsync(HttpClient api, int id, string prefix, int occurrence = 1) =>
        Eventually.ReturnsAsync(
            () => LogsAsync(api, id),
            lines => Markers(lines).Count(m => m.StartsWith("[dashboard] " + prefix, StringComparison.Ordinal)) >= occurrence,
            Timeout,
            $"marker '{prefix}' #{occurrence}");

    private static async Task<IReadOnlyList<LogLine>> LogsAsync(HttpClient api, int id) =>
        (await api.GetFromJsonAsync<List<LogLine>>($"/api/v1/servers/{id}/logs?lines=200", JsonDefaults.Options))!;

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
