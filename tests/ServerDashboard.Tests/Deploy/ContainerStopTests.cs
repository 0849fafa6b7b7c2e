using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ServerDashboard.Processes;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Hosting;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Deploy;

/// <summary>
/// docker/: what `docker compose stop` does to the game servers. There is no Docker engine here, so the files are checked
/// for consistency (grace period above the dashboard's shutdown budget, the settings present in both), the app is shown
/// to read those settings, and the dashboard binary is run with the image's environment and sent SIGTERM, as Docker's
/// init would, to show that it stops a real server gracefully and exits within the grace period.
/// </summary>
public sealed partial class ContainerStopTests
{
    private static string Compose => File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docker", "compose.yaml"));

    private static string Dockerfile => File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docker", "Dockerfile"));

    [Fact]
    public void The_grace_period_is_longer_than_the_dashboards_shutdown_budget_and_both_files_stop_the_servers()
    {
        var grace = int.Parse(GracePeriod().Match(Compose).Groups[1].Value, CultureInfo.InvariantCulture);
        var composeBudget = int.Parse(ComposeShutdownTimeout().Match(Compose).Groups[1].Value, CultureInfo.InvariantCulture);
        var imageBudget = int.Parse(ImageShutdownTimeout().Match(Dockerfile).Groups[1].Value, CultureInfo.InvariantCulture);

        Assert.Equal(imageBudget, composeBudget);
        Assert.True(grace - composeBudget >= 5, $"stop_grace_period {grace} s leaves the dashboard's {composeBudget} s shutdown too little room before SIGKILL");
        Assert.True(composeBudget > 30, "the Minecraft template's 30 s stop timeout must fit the shutdown budget");
        Assert.Matches(@"Dashboard__StopServersOnShutdown:\s*""true""", Compose);
        Assert.Matches(@"Dashboard__StopServersOnShutdown=true", Dockerfile);
        Assert.Matches(@"(?m)^\s*init:\s*true", Compose); // an init at PID 1 passes SIGTERM on and reaps orphans
        Assert.Matches(@"(?m)^ENTRYPOINT \[""", Dockerfile); // exec form: no shell between the init and the dashboard
        Assert.DoesNotMatch(@"(?m)^STOPSIGNAL (?!SIGTERM)", Dockerfile);
    }

    [Fact]
    public void The_app_reads_the_containers_settings_as_stop_the_servers_within_the_budget()
    {
        using var factory = new DashboardFactory(stopServersOnShutdown: false, settings: new Dictionary<string, string>
        {
            // The environment names as the configuration sees them: "__" is ":", the DOTNET_ prefix is dropped.
            ["Dashboard:StopServersOnShutdown"] = "true",
            ["shutdownTimeoutSeconds"] = "50",
        });
        _ = factory.CreateAnonymousClient();

        Assert.True(factory.Services.GetRequiredService<IOptions<ProcessOptions>>().Value.StopServersOnShutdown);
        Assert.Equal(TimeSpan.FromSeconds(50), factory.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    [Fact]
    public async Task Sigterm_with_the_images_environment_stops_a_running_server_gracefully_and_the_dashboard_exits()
    {
        using var data = new TempDirectory("sd-container-stop");
        var key = await DashboardProcess.CreateApiKeyAsync(data.Path);
        var dashboard = await DashboardProcess.StartAsync(data.Path, environment: new Dictionary<string, string>
        {
            ["Dashboard__StopServersOnShutdown"] = "true",
            ["DOTNET_shutdownTimeoutSeconds"] = "50",
        });
        await using var _ = dashboard;
        using var api = dashboard.Client(key);
        var created = await api.PostAsJsonAsync("/api/v1/servers", ServerRequests.SampleGameServer("container-stop"), JsonDefaults.Options);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/v1/servers/{id}/start", null)).StatusCode);
        var pid = (await DaemonSurvivalTests.WaitForStateAsync(api, id, ServerState.Running)).Pid!.Value;

        Assert.Equal(0, Kill(dashboard.Pid, Sigterm));
        var exitCode = await dashboard.WaitForExitAsync(TimeSpan.FromSeconds(60)); // compose.yaml's stop_grace_period

        // 0, not 143: System.CommandLine's own SIGTERM handling used to end the process 2 s into the shutdown, before
        // the run state was flushed and the instance lock released (DashboardCli sets ProcessTerminationTimeout = null).
        Assert.True(exitCode == 0, $"exit code {exitCode}: {dashboard.Output}");
        Assert.Matches(@"Shutdown handlers: (\d+) of \1 completed", dashboard.Output);
        Assert.False(ProcInfo.IsAlive(pid), "the server outlived the dashboard's shutdown");
        var console = await File.ReadAllTextAsync(Path.Combine(data.Path, "servers", id.ToString(CultureInfo.InvariantCulture), "console.log"));
        Assert.Contains("Stopping server", console); // its own graceful path ran: it was not SIGKILLed
        Assert.Contains("stop servers (StopServersOnShutdown)", dashboard.Output);
    }

    private const int Sigterm = 15;

    // DllImport, not LibraryImport: the test project does not allow unsafe code.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [GeneratedRegex(@"stop_grace_period:\s*(\d+)s")]
    private static partial Regex GracePeriod();

    [GeneratedRegex(@"DOTNET_shutdownTimeoutSeconds:\s*""(\d+)""")]
    private static partial Regex ComposeShutdownTimeout();

    [GeneratedRegex(@"DOTNET_shutdownTimeoutSeconds=(\d+)")]
    private static partial Regex ImageShutdownTimeout();
}
