using ServerDashboard.Testing;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Ports;
using ServerDashboard.Processes;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Ports;

/// <summary>
/// Start-up cleanup: a leftover of a managed server (same command line and working directory, not run by this dashboard)
/// holding its port, and a foreign process holding another server's port.
/// </summary>
public sealed class StartupPortCheckTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_leftover_is_reported_and_freed_only_with_the_option_and_a_foreign_process_is_never_freed(bool cleanupOnStartup)
    {
        using var serverDir = new TempDirectory();
        using var factory = new DashboardFactory(settings: new Dictionary<string, string>
        {
            ["Dashboard:Ports:CleanupOnStartup"] = cleanupOnStartup ? "true" : "false",
            ["Dashboard:Ports:CleanupGraceSeconds"] = "1",
        });
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        int leftoverPort = FreePort.Next(), foreignPort = FreePort.Next();
        string script = PythonListener.Script(PortProtocol.Tcp, "0.0.0.0", leftoverPort, ignoreSigterm: true, fork: false);
        var withLeftover = await CreateAsync(admin, "left-behind", leftoverPort, [PythonListener.Python, "-c", script], serverDir.Path);
        var withForeign = await CreateAsync(admin, "squatted", foreignPort, [PythonListener.Python, "-c", "import time; time.sleep(1000)"], serverDir.Path);
        // The leftover: the server's very command in its directory, from a dashboard that crashed (not tracked here).
        using var leftover = await PythonListener.StartAsync(PortProtocol.Tcp, "0.0.0.0", leftoverPort, ignoreSigterm: true, workingDirectory: serverDir.Path);
        using var foreign = await PythonListener.StartAsync(PortProtocol.Tcp, "127.0.0.1", foreignPort, workingDirectory: serverDir.Path);

        var findings = await factory.Services.GetRequiredService<StartupPortCheck>().RunAsync(CancellationToken.None);

        var left = Assert.Single(findings, f => f.Port.ServerId == withLeftover);
        Assert.True(left.Leftover);
        Assert.Equal(leftover.Pid, Assert.Single(left.Port.Owners).Pid);
        Assert.Equal(cleanupOnStartup, left.Freed);
        Assert.Equal(cleanupOnStartup, leftover.HasExited);
        var squatted = Assert.Single(findings, f => f.Port.ServerId == withForeign);
        Assert.False(squatted.Leftover);
        Assert.False(squatted.Freed);
        Assert.Contains("never freed automatically", squatted.Message);
        Assert.False(foreign.HasExited);
        Assert.Equal(findings, factory.Services.GetRequiredService<PortFindings>().Current); // the Ports page's banner
    }

    private static async Task<int> CreateAsync(HttpClient admin, string name, int port, List<string> command, string workingDirectory)
    {
        var model = ServerRequests.Valid(name);
        model.Port = port;
        model.Command = command;
        model.WorkingDirectory = workingDirectory;
        model.RestartPolicy = RestartPolicy.No;
        model.LogFiles = [];
        var created = await admin.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options);
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        return (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;
    }
}
