using ServerDashboard.Testing;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Ports;

/// <summary><c>ServerDashboard ports who|free</c>, run as the real executable.</summary>
public sealed class PortsCliTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Ports_who_names_the_holder_and_a_free_port_exits_3()
    {
        using var data = new TempDirectory();
        using var listener = await PythonListener.StartAsync();

        var who = await ProcessRunner.RunAsync("ServerDashboard", ["ports", "who", $"{listener.Port}", "--data-dir", data.Path], Timeout);
        var free = await ProcessRunner.RunAsync("ServerDashboard", ["ports", "who", $"{FreePort.Next()}", "--data-dir", data.Path], Timeout);

        Assert.True(who.ExitCode == 0, who.StandardError);
        Assert.Contains($"Port {listener.Port}/tcp is in use by:", who.StandardOutput);
        Assert.Contains($"pid {listener.Pid} python3", who.StandardOutput);
        Assert.Equal(3, free.ExitCode);
        Assert.Contains("is free", free.StandardOutput);
    }

    /// <summary>
    /// Run as "nobody", the command cannot read root's /proc/&lt;pid&gt;/fd: the port is reported in use with an owner it
    /// cannot see, never as free.
    /// </summary>
    [Fact]
    public async Task A_port_held_by_a_process_the_caller_cannot_inspect_is_in_use_with_its_owner_not_visible()
    {
        Assert.True(Security.UnixAccounts.IsRoot, "switching to nobody needs root");
        using var listener = await PythonListener.StartAsync(ServerDashboard.Processes.PortProtocol.Udp);
        var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--reuid", "nobody", "--regid", "nogroup", "--clear-groups", ProcessRunner.PathOf("ServerDashboard"),
                     "ports", "who", $"{listener.Port}", "--protocol", "udp", "--data-dir", "/nonexistent/data" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(Timeout).Token);

        Assert.True(process.ExitCode == 0, await error);
        Assert.Contains($"Port {listener.Port}/udp is in use, owner not visible to the dashboard (run as root to see it).", await output);

        // A free port below 1024 cannot be bound without root, which is no sign that anyone holds it.
        var inspector = new ServerDashboard.Ports.PortInspector(new ServerDashboard.Processes.PortOwnerLookup(new ServerDashboard.Processes.ProcFs()),
            new ServerDashboard.Processes.ProcFs(), null, new ServerDashboard.Ports.UserNames());
        int privileged = Enumerable.Range(1, 1023).First(p => !inspector.IsPortInUse(p, ServerDashboard.Processes.PortProtocol.Tcp));
        var free = await RunAsNobodyAsync("ports", "who", $"{privileged}", "--data-dir", "/nonexistent/data");
        Assert.Equal(3, free.ExitCode);
        Assert.Contains($"Port {privileged}/tcp is free.", free.StandardOutput);
    }

    private static async Task<ProcessResult> RunAsNobodyAsync(params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/setpriv") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--reuid", "nobody", "--regid", "nogroup", "--clear-groups", ProcessRunner.PathOf("ServerDashboard") }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(Timeout).Token);
        return new ProcessResult(process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task Ports_free_needs_force_then_kills_a_stubborn_listener_and_audits_it()
    {
        using var data = new TempDirectory();
        using var listener = await PythonListener.StartAsync(ignoreSigterm: true);

        var unconfirmed = await ProcessRunner.RunAsync("ServerDashboard", ["ports", "free", $"{listener.Port}", "--data-dir", data.Path], Timeout);
        Assert.Equal(2, unconfirmed.ExitCode);
        Assert.Contains("--force", unconfirmed.StandardError);
        Assert.False(listener.HasExited);

        var forced = await ProcessRunner.RunAsync("ServerDashboard",
            ["ports", "free", $"{listener.Port}", "--force", "--retries", "2", "--grace", "1", "--data-dir", data.Path], Timeout);

        Assert.True(forced.ExitCode == 0, forced.StandardError + forced.StandardOutput);
        Assert.Contains("is free", forced.StandardOutput);
        Assert.True(listener.HasExited);
        using var factory = new DashboardFactory(data.Path);
        var audit = await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<ServerDashboard.Audit.AuditLog>(factory.Services)
            .QueryAsync(new ServerDashboard.Audit.AuditQuery(Action: "FreePort"), CancellationToken.None);
        Assert.Contains(audit.Entries, e => e.Actor == "cli" && e.Success);
    }
}
