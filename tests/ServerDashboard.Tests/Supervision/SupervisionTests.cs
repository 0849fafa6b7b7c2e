using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Supervision;

/// <summary>One dashboard with short supervision settings for the tests below: 1 s ticks, 2 s first restart delay.</summary>
public sealed class ShortSupervisionFixture : IDisposable
{
    public DashboardFactory Factory { get; } = new(settings: new Dictionary<string, string>(DashboardFactory.UnlimitedRates)
    {
        ["Dashboard:Monitoring:IntervalSeconds"] = "1",
        ["Dashboard:Monitoring:UnhealthyAfterChecks"] = "3",
        ["Dashboard:Supervision:BackoffInitialSeconds"] = "2",
        ["Dashboard:Supervision:BackoffJitter"] = "0",
    });

    public void Dispose() => Factory.Dispose();
}

/// <summary>Readiness, startup timeout, Backoff, health checks and the transition store, with real SampleGameServer daemons.</summary>
public sealed class SupervisionTests(ShortSupervisionFixture fixture) : IClassFixture<ShortSupervisionFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly DashboardFactory factory = fixture.Factory;

    [Fact]
    public async Task A_server_is_running_only_after_its_ready_line()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var model = ServerRequests.SampleGameServer("ready-after-line", "--ready-delay-ms", "2000");
        model.ReadyPattern = @"Done \(";
        var id = await CreateAsync(model);

        var started = (await (await api.PostAsync($"/api/v1/servers/{id}/start", null)).ReadJsonAsync<ServerStatus>())!;
        await Task.Delay(1000);
        var early = await StatusAsync(api, id);
        var log = await File.ReadAllTextAsync(ConsoleLog(id));

        Assert.Equal(ServerState.Starting, early.State);
        Assert.DoesNotContain("Done (", log);
        var running = await WaitForAsync(api, id, s => s.State == ServerState.Running, "Running");
        Assert.Equal(started.Pid, running.Pid);
        Assert.Contains("Done (", await File.ReadAllTextAsync(ConsoleLog(id)));
        await api.PostAsync($"/api/v1/servers/{id}/kill", null);
    }

    [Fact]
    public async Task A_server_never_ready_is_stopped_and_in_error_after_its_startup_timeout()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var model = ServerRequests.SampleGameServer("never-ready");
        model.ReadyPattern = "this line never comes";
        model.StartupTimeoutSeconds = 2;
        var id = await CreateAsync(model);
        var pid = (await (await api.PostAsync($"/api/v1/servers/{id}/start", null)).ReadJsonAsync<ServerStatus>())!.Pid!.Value;

        var error = await WaitForAsync(api, id, s => s.State == ServerState.Error, "Error");

        Assert.Equal("did not become ready within 2 s", error.Message);
        Assert.Null(error.Pid);
        Assert.False(ProcInfo.IsAlive(pid), "the process that never became ready is gone");
        Assert.Null(ProcInfo.State(pid));
    }

    [Fact]
    public async Task A_crash_goes_to_backoff_with_its_attempt_then_running_again()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var model = ServerRequests.SampleGameServer("backoff-crasher");
        model.RestartPolicy = RestartPolicy.OnFailure;
        var id = await StartRunningAsync(api, model);
        var firstPid = (await StatusAsync(api, id)).Pid!.Value;

        await WriteToConsoleAsync(id, "crash 3");

        var backoff = await WaitForAsync(api, id, s => s.State == ServerState.Backoff, "Backoff");
        Assert.Equal(1, backoff.Attempt);
        Assert.NotNull(backoff.NextAttemptAt);
        Assert.Equal(2.0, (backoff.NextAttemptAt!.Value - backoff.LastExit!.At).TotalSeconds, 3); // no jitter in this fixture
        Assert.Equal(3, backoff.LastExit!.Code);
        var running = await WaitForAsync(api, id, s => s.State == ServerState.Running && s.Pid != firstPid, "Running again");
        Assert.Null(running.Attempt);
        Assert.Null(running.NextAttemptAt);

        var transitions = await TransitionsAsync(id);
        Assert.Equal(
            ["Stopped→Starting", "Starting→Running", "Running→Crashed", "Crashed→Backoff", "Backoff→Starting", "Starting→Running"],
            transitions.Select(t => $"{t.From}→{t.To}"));
        Assert.Equal("exit code 3", transitions[2].Reason);
        Assert.All(transitions.Skip(1), t => Assert.Equal("system", t.Actor));
        Assert.StartsWith("apikey:", transitions[0].Actor);
        await api.PostAsync($"/api/v1/servers/{id}/kill", null);
    }

    [Fact]
    public async Task A_stop_during_backoff_cancels_the_restart_for_good()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var model = ServerRequests.SampleGameServer("backoff-stopped");
        model.RestartPolicy = RestartPolicy.Always;
        var id = await StartRunningAsync(api, model);
        await WriteToConsoleAsync(id, "crash 4");
        await WaitForAsync(api, id, s => s.State == ServerState.Backoff, "Backoff");

        var stop = await api.PostAsync($"/api/v1/servers/{id}/stop", null);

        Assert.Equal(HttpStatusCode.Accepted, stop.StatusCode);
        Assert.Equal(ServerState.Stopped, (await stop.ReadJsonAsync<ServerStatus>())!.State);
        await Task.Delay(3000); // past the 2 s delay
        var after = await StatusAsync(api, id);
        Assert.Equal(ServerState.Stopped, after.State);
        Assert.Null(after.Pid);
    }

    [Fact]
    public async Task A_server_whose_game_port_closes_turns_unhealthy_within_a_few_intervals()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var model = ServerRequests.SampleGameServer("port-closer");
        var id = await StartRunningAsync(api, model);
        await WaitForAsync(api, id, s => s.Health is { Healthy: true }, "a first healthy check");

        await WriteToConsoleAsync(id, "close-listener");

        // 3 failed checks at a 1 s interval: well within 10 s.
        var unhealthy = await WaitForAsync(api, id, s => s.Health is { Healthy: false }, "Unhealthy", TimeSpan.FromSeconds(10));
        Assert.Equal(ServerState.Running, unhealthy.State);
        Assert.Equal($"game port {model.Port} refused 3 checks", unhealthy.Health!.Reason);
        Assert.True(ProcInfo.IsAlive(unhealthy.Pid!.Value));
        await api.PostAsync($"/api/v1/servers/{id}/kill", null);
    }

    [Fact]
    public async Task A_hand_dropped_pid_file_is_reported_running_by_the_status_api()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await StartRunningAsync(api, ServerRequests.SampleGameServer("hand-dropped"));
        var pid = (await StatusAsync(api, id)).Pid!.Value;
        var pidFile = Path.Combine(factory.DataDirectory, "run", $"{id}.pid");
        var saved = await File.ReadAllTextAsync(pidFile);
        var mode = File.GetUnixFileMode(pidFile);
        // The dashboard forgets the daemon (as another dashboard would not know it), then the file comes back by hand.
        var registry = factory.Services.GetRequiredService<ServerDashboard.Processes.ProcessRegistry>();
        registry.ForceCleanup(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        factory.Services.GetRequiredService<ServerStatusBoard>().Update(id, s => s with { State = ServerState.Stopped, Pid = null });
        Assert.False(factory.Services.GetRequiredService<ServerSupervisor>().IsRunning(id));
        await File.WriteAllTextAsync(pidFile, saved);
        File.SetUnixFileMode(pidFile, mode);

        var status = await StatusAsync(api, id);

        Assert.Equal(ServerState.Running, status.State);
        Assert.Equal(pid, status.Pid);
        Assert.True(factory.Services.GetRequiredService<ServerSupervisor>().IsRunning(id));
        await api.PostAsync($"/api/v1/servers/{id}/kill", null);
    }

    private async Task<IReadOnlyList<ServerDashboard.Data.ServerTransitionRecord>> TransitionsAsync(int id)
    {
        var log = factory.Services.GetRequiredService<ServerTransitionLog>();
        await log.FlushAsync(CancellationToken.None);
        return (await log.ListAsync(id, 100, CancellationToken.None)).Reverse().ToList();
    }

    private string ConsoleLog(int id) => Path.Combine(factory.DataDirectory, "servers", $"{id}", "console.log");

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
        await WaitForAsync(api, id, s => s.State == ServerState.Running, "Running");
        return id;
    }

    internal static async Task<ServerStatus> StatusAsync(HttpClient api, int id) =>
        (await api.GetFromJsonAsync<ServerStatus>($"/api/v1/servers/{id}/status", JsonDefaults.Options))!;

    internal static Task<ServerStatus> WaitForAsync(HttpClient api, int id, Func<ServerStatus, bool> condition, string what, TimeSpan? timeout = null) =>
        Eventually.ReturnsAsync(() => StatusAsync(api, id), condition, timeout ?? Timeout, $"server {id}: {what}");

    private async Task WriteToConsoleAsync(int id, string line)
    {
        await using var fifo = new FileStream(Path.Combine(factory.DataDirectory, "run", $"{id}.stdin"), FileMode.Open, FileAccess.Write);
        await fifo.WriteAsync(System.Text.Encoding.UTF8.GetBytes(line + "\n"));
    }
}
