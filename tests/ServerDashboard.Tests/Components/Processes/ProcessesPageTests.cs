using System.Collections.Concurrent;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Processes;
using ServerDashboard.Tests.Processes;
using ProcessesPage = ServerDashboard.Components.Pages.Processes;

namespace ServerDashboard.Tests.Components.Processes;

/// <summary>The Processes page against real daemons (shell loops started through the real DaemonManager).</summary>
public sealed class ProcessesPageTests : IDisposable
{
    private const string Loop = "while :; do sleep 1; done";

    private readonly DashboardComponentContext ctx = new();
    private readonly ConcurrentBag<int> started = [];

    [Fact]
    public async Task The_grid_shows_a_running_daemon_with_its_memory_and_PID_file()
    {
        var daemon = await StartAsync("7", Loop);
        ctx.LogInAs("olga", Roles.Operator);

        var cut = ctx.Render<ProcessesPage>();

        var row = cut.WaitForElement($".process-row-{daemon.Pid}");
        Assert.Equal($"{daemon.Pid}", row.QuerySelector($"[data-testid=pid-{daemon.Pid}]")!.TextContent);
        Assert.Equal("Alive", row.QuerySelector($"[data-testid=state-{daemon.Pid}]")!.TextContent.Trim());
        Assert.Equal("Present", row.QuerySelector($"[data-testid=pidfile-{daemon.Pid}]")!.TextContent.Trim());
        var memory = double.Parse(row.QuerySelector($"[data-testid=memory-{daemon.Pid}]")!.TextContent, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(memory, 0.1, 100);
        Assert.Contains("Server 7", row.TextContent); // no definition with id 7: the id stands in for the name
        Assert.Equal("1", cut.Find("[data-testid=stat-tracked]").TextContent.Trim());
        Assert.Equal("1", cut.Find("[data-testid=stat-alive]").TextContent.Trim());
        Assert.Equal("0", cut.Find("[data-testid=stat-dead]").TextContent.Trim());
        Assert.Equal("1", cut.Find("[data-testid=stat-pidfiles]").TextContent.Trim());
    }

    [Fact]
    public async Task CPU_shows_a_dash_until_a_second_sample_gives_a_rate()
    {
        var daemon = await StartAsync("8", Loop);
        ctx.LogInAs("victor", Roles.Viewer);

        var cut = ctx.Render<ProcessesPage>();

        Assert.Equal("—", cut.WaitForElement($"[data-testid=cpu-{daemon.Pid}]").TextContent.Trim());
        // The page samples every 2 s; the second sample is a rate over at least a second.
        cut.WaitForAssertion(() => Assert.Matches(@"^\d+\.\d$", cut.Find($"[data-testid=cpu-{daemon.Pid}]").TextContent.Trim()), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_Viewer_sees_the_daemons_but_no_cleanup_actions()
    {
        var daemon = await StartAsync("9", Loop);
        ctx.LogInAs("victor", Roles.Viewer);

        var cut = ctx.Render<ProcessesPage>();

        cut.WaitForElement($".process-row-{daemon.Pid}");
        Assert.Empty(cut.FindAll("[data-testid=cleanup-dead]"));
        Assert.Empty(cut.FindAll("[data-testid=cleanup-all]"));
        Assert.Empty(cut.FindAll($"[data-testid=force-cleanup-{daemon.Pid}]"));
    }

    [Fact]
    public async Task Clean_up_dead_removes_an_exited_daemon_and_keeps_a_running_one()
    {
        var alive = await StartAsync("10", Loop);
        var dead = await StartAsync("11", "exit 3");
        await Poll.UntilAsync(() => Registry.PollExit(dead) is not null, "the exiting daemon to be reaped");
        ctx.LogInAs("olga", Roles.Operator);
        var cut = ctx.Render<ProcessesPage>();
        Assert.Equal("exit code 3", cut.WaitForElement($"[data-testid=last-exit-{dead.Pid}]").TextContent.Trim());
        Assert.Equal("1", cut.Find("[data-testid=stat-dead]").TextContent.Trim());

        cut.Find("[data-testid=cleanup-dead]").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll($".process-row-{dead.Pid}")));
        Assert.Single(cut.FindAll($".process-row-{alive.Pid}"));
        Assert.Equal("0", cut.Find("[data-testid=stat-dead]").TextContent.Trim());
        Assert.DoesNotContain(Registry.Entries, e => e.Pid == dead.Pid);
    }

    [Fact]
    public async Task Force_cleanup_after_confirmation_forgets_a_daemon_that_has_no_server_definition()
    {
        var daemon = await StartAsync("12", Loop);
        ctx.LogInAs("ada", Roles.Admin);
        var cut = RenderWithDialogs();

        cut.WaitForElement($"[data-testid=force-cleanup-{daemon.Pid}]").Click();
        // No definition: the dialog says it cannot be stopped from here and will keep running, untracked.
        Assert.Contains("keeps running", cut.WaitForElement("[data-testid=confirm-message]").TextContent);
        cut.Find("[data-testid=confirm-ok]").Click();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=empty-state]")));
        Assert.Empty(Registry.Entries);
        Assert.False(File.Exists(daemon.PidFilePath));
        Assert.True(new ProcFs().IsAlive(daemon.Identity)); // the test kills it on dispose
    }

    [Fact]
    public void With_nothing_tracked_the_page_says_so_and_points_to_the_Servers_page()
    {
        ctx.LogInAs("victor", Roles.Viewer);

        var cut = ctx.Render<ProcessesPage>();

        Assert.Equal("Processes", cut.Find("h1").TextContent);
        Assert.Contains("No daemons are tracked. Start a server on the Servers page.", cut.Find("[data-testid=empty-state]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=processes-grid]"));
        Assert.Equal("0", cut.Find("[data-testid=stat-tracked]").TextContent.Trim());
        Assert.Equal(ctx.Data.RunDirectory, cut.Find("[data-testid=stat-piddir]").TextContent.Trim('\u200E', ' '));
    }

    private ProcessRegistry Registry => ctx.Services.GetRequiredService<ProcessRegistry>();

    /// <summary>A real daemon: <c>sh -c <paramref name="script"/></c> in its own session, with a PID file, tracked.</summary>
    private async Task<TrackedProcess> StartAsync(string serverId, string script)
    {
        var dir = Path.Combine(ctx.Data.Path, "servers", serverId);
        Directory.CreateDirectory(dir);
        var spec = new DaemonSpec(
            Argv: ["/bin/sh", "-c", script],
            WorkingDirectory: dir,
            Environment: new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" },
            LogPath: Path.Combine(dir, "console.log"),
            StdinFifoPath: Path.Combine(ctx.Data.RunDirectory, $"{serverId}.stdin"),
            Limits: new ResourceLimits());
        var entry = await ctx.Services.GetRequiredService<DaemonManager>().StartAsync(
            new ServerStartRequest(serverId, $"Server {serverId}", spec), CancellationToken.None);
        started.Add(entry.Pid);
        return entry;
    }

    /// <summary>The page beside MudBlazor's providers, which host dialogs and popovers as the layout does.</summary>
    private IRenderedComponent<IComponent> RenderWithDialogs() => ctx.RenderWithProviders<ProcessesPage>();

    public void Dispose()
    {
        try
        {
            ctx.Dispose(); // the page first: its loop must stop before the daemons go
        }
        finally
        {
            // Even when the context fails to dispose, no daemon may outlive the test.
            foreach (var pid in started)
            {
                ProcessesHarness.KillAndReap(pid);
            }
        }
    }
}
