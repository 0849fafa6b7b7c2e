using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Audit;
using ServerDashboard.Auth;
using ServerDashboard.Ports;
using ServerDashboard.Processes;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Hosting;
using ServerDashboard.Tests.Infrastructure;
using ServerDashboard.Tests.Security;

namespace ServerDashboard.Tests.Ports;

/// <summary>Freeing ports held by real processes, through the real app's services (audit in its SQLite store).</summary>
public sealed class PortFreerTests(DashboardFactoryFixture fixture) : IClassFixture<DashboardFactoryFixture>
{
    private static readonly AuditActor Tester = new("port-tester", "local");
    private readonly DashboardFactory factory = fixture.Factory;

    private PortFreer Freer => factory.Services.GetRequiredService<PortFreer>();

    [Fact]
    public async Task Without_confirmation_nothing_is_signalled_and_the_owner_is_named()
    {
        using var listener = await PythonListener.StartAsync();

        var result = await Freer.FreePortAsync(listener.Port, PortProtocol.Tcp, new FreePortRequest(Force: false), Tester, null, CancellationToken.None);

        Assert.Equal(FreePortOutcome.NeedsConfirmation, result.Outcome);
        Assert.Equal(listener.Pid, Assert.Single(result.Before.Owners).Pid);
        Assert.Contains($"pid {listener.Pid} (python3", result.Message);
        Assert.False(listener.HasExited);
    }

    [Fact]
    public async Task A_foreign_listener_that_ignores_sigterm_is_killed_and_the_port_is_bindable_afterwards()
    {
        using var listener = await PythonListener.StartAsync(ignoreSigterm: true);
        var confirmed = factory.Services.GetRequiredService<PortInspector>().FindOwner(listener.Port).Owners.Select(o => o.Identity!).ToList();

        var result = await Freer.FreePortAsync(listener.Port, PortProtocol.Tcp, new FreePortRequest(true, MaxRetries: 2, GraceSeconds: 1), Tester, confirmed, CancellationToken.None);

        Assert.Equal(FreePortOutcome.Freed, result.Outcome);
        Assert.Equal(1, result.Attempts);
        Assert.True(listener.HasExited);
        using var bound = new TcpListener(IPAddress.Loopback, listener.Port);
        bound.Start(); // throws if the port were still held
        var audit = await AuditOf(PortAuditActions.FreePort);
        Assert.Contains(audit, e => e.Success && e.Actor == Tester.Name && e.Detail.Contains($"port {listener.Port}/tcp") && e.Detail.Contains($"pid {listener.Pid}"));
    }

    [Fact]
    public async Task The_dashboard_itself_and_pid_1_are_refused()
    {
        using var own = new TcpListener(IPAddress.Loopback, 0); // this test process is the dashboard's process
        own.Start();
        int port = ((IPEndPoint)own.LocalEndpoint).Port;

        var result = await Freer.FreePortAsync(port, PortProtocol.Tcp, new FreePortRequest(true), Tester, null, CancellationToken.None);

        Assert.Equal(FreePortOutcome.Refused, result.Outcome);
        Assert.Contains($"pid {Environment.ProcessId} is the dashboard itself", result.Message);
        Assert.Contains(await AuditOf(PortAuditActions.FreePort), e => !e.Success && e.Detail.Contains($"port {port}/tcp"));

        var refusals = factory.Services.GetRequiredService<FreeRefusals>();
        var init = factory.Services.GetRequiredService<PortInspector>().Describe(1)!;
        Assert.Contains("pid 1", refusals.ReasonToRefuse(init));
        Assert.Contains("init process", refusals.ReasonToRefuse(init));
        var parent = factory.Services.GetRequiredService<PortInspector>().Describe(factory.Services.GetRequiredService<DashboardProcessInfo>().ParentPid)!;
        Assert.Contains("the dashboard's parent", refusals.ReasonToRefuse(parent));
        var procFs = factory.Services.GetRequiredService<ProcFs>();
        if (procFs.ListPids().FirstOrDefault(procFs.IsKernelThread) is var kthread and not 0) // none inside a container's pid namespace
        {
            Assert.Contains("kernel thread", refusals.ReasonToRefuse(factory.Services.GetRequiredService<PortInspector>().Describe(kthread)!));
        }
    }

    [Fact]
    public async Task A_process_of_another_user_is_refused_when_the_dashboard_is_not_root()
    {
        Assert.True(UnixAccounts.IsRoot, "creating a user needs root");
        using var user = TestUser.Create();
        using var listener = await PythonListener.StartAsync(user: user.Name);
        // The same services, posing as a dashboard that runs as "nobody" (uid 65534) instead of root.
        var unprivileged = new DashboardProcessInfo(Environment.ProcessId, 0, 65534);
        var freer = ActivatorUtilities.CreateInstance<PortFreer>(factory.Services,
            new FreeRefusals(unprivileged, factory.Services.GetRequiredService<ProcFs>()));

        var result = await freer.FreePortAsync(listener.Port, PortProtocol.Tcp, new FreePortRequest(true), Tester, null, CancellationToken.None);

        Assert.Equal(FreePortOutcome.Refused, result.Outcome);
        Assert.Contains($"belongs to user {user.Name}, and the dashboard (uid 65534) is not root", result.Message);
        Assert.Equal(user.Name, Assert.Single(result.Before.Owners).User);
        Assert.False(listener.HasExited);
    }

    [Fact]
    public async Task A_port_held_by_one_of_our_servers_is_freed_through_its_stop()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var created = await api.PostAsJsonAsync("/api/v1/servers", ServerRequests.SampleGameServer("port-holder"));
        var server = (await created.ReadJsonAsync<ServerModel>())!;
        int id = server.Id!.Value;
        await api.PostAsync($"/api/v1/servers/{id}/start", null);
        var running = await DaemonSurvivalTests.WaitForStateAsync(api, id, ServerState.Running);
        var owner = Assert.Single(factory.Services.GetRequiredService<PortInspector>().FindOwner(server.Port!.Value).Owners);
        Assert.Equal(id, owner.ServerId);

        var result = await Freer.FreePortAsync(server.Port!.Value, PortProtocol.Tcp, new FreePortRequest(true), Tester, null, CancellationToken.None);

        Assert.Equal(FreePortOutcome.Freed, result.Outcome);
        Assert.False(ProcInfo.IsAlive(running.Pid!.Value));
        var stops = await AuditOf(AuditActions.Stop);
        Assert.Contains(stops, e => e.ServerId == id && e.Actor == Tester.Name && e.Success);
        Assert.Contains(await AuditOf(PortAuditActions.FreePort), e => e.ServerId == id && e.Success);
    }

    private async Task<IReadOnlyList<ServerDashboard.Data.AuditEntry>> AuditOf(string action) =>
        (await factory.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(Action: action), CancellationToken.None)).Entries;
}

/// <summary>Forces a real pid reuse (as root, through /proc/sys/kernel/ns_last_pid): apart from the storms, whose forks would take the pid.</summary>
[Collection("Torture storms")]
public sealed class PortFreerPidReuseTests(DashboardFactoryFixture fixture) : IClassFixture<DashboardFactoryFixture>
{
    private const string LastPid = "/proc/sys/kernel/ns_last_pid";

    [Fact]
    public async Task A_pid_reused_between_the_lookup_and_the_confirmation_is_not_signalled()
    {
        Assert.True(UnixAccounts.IsRoot && File.Exists(LastPid), "forcing a pid needs root");
        var services = fixture.Factory.Services;
        var original = await PythonListener.StartAsync();
        int port = original.Port, pid = original.Pid;
        // What the user saw in the dialog.
        var confirmed = services.GetRequiredService<PortInspector>().FindOwner(port).Owners.Select(o => o.Identity!).ToList();
        original.Dispose(); // the owner ends...

        PythonListener? impostor = null; // ...and another process gets its pid and the same port
        for (int attempt = 0; attempt < 30 && impostor is null; attempt++)
        {
            var candidate = await PythonListener.StartAsync(port: port,
                shellPrefix: $"echo {pid - 1} > {LastPid}");
            if (candidate.Pid == pid)
            {
                impostor = candidate;
            }
            else
            {
                candidate.Dispose();
            }
        }

        Assert.True(impostor is not null, "no attempt got the pid back (other forks on the machine won every race)");
        using (impostor)
        {
            var result = await services.GetRequiredService<PortFreer>().FreePortAsync(port, PortProtocol.Tcp, new FreePortRequest(true, 1, 1),
                new AuditActor("port-tester", "local"), confirmed, CancellationToken.None);

            Assert.Equal(FreePortOutcome.Refused, result.Outcome);
            Assert.Contains("is not the process that was confirmed", result.Message);
            Assert.False(impostor.HasExited);
            Assert.Equal(pid, Assert.Single(services.GetRequiredService<PortInspector>().FindOwner(port).Owners).Pid);
        }
    }
}
