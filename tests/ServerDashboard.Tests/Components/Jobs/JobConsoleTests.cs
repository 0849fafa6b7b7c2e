using Bunit;
using ServerDashboard.Components.Jobs;

namespace ServerDashboard.Tests.Components.Jobs;

/// <summary>A job's log is shown in the server console's terminal, read-only, streaming the job's log from the hub.</summary>
public sealed class JobConsoleTests : IDisposable
{
    private readonly DashboardComponentContext ctx = new();

    [Fact]
    public void The_job_console_mounts_the_server_console_module_for_the_job_s_log()
    {
        var module = ctx.JSInterop.SetupModule("./js/console.js");
        module.Mode = JSRuntimeMode.Loose;

        var cut = ctx.Render<JobConsole>(p => p.Add(c => c.JobName, "nightly-render"));

        JSRuntimeInvocation mount = default;
        cut.WaitForAssertion(() => mount = module.VerifyInvoke("mount"));
        var options = mount.Arguments[1]!;
        Assert.Equal("nightly-render", options.GetType().GetProperty("jobName")!.GetValue(options));
        Assert.Equal("hubs/dashboard", options.GetType().GetProperty("hubUrl")!.GetValue(options));
        Assert.Null(options.GetType().GetProperty("serverId")); // the job's stream, not a server's
    }

    [Fact]
    public void The_job_console_has_the_console_toolbar_and_no_command_input()
    {
        ctx.JSInterop.SetupModule("./js/console.js").Mode = JSRuntimeMode.Loose;

        var cut = ctx.Render<JobConsole>(p => p.Add(c => c.JobName, "wipe"));

        var root = cut.Find("[data-testid=job-console]");
        Assert.Equal("wipe", root.GetAttribute("data-job"));
        Assert.Contains("server-console", root.ClassList); // the same terminal styling as servers
        Assert.NotNull(cut.Find(".console-terminal"));
        Assert.NotNull(cut.Find("[data-testid=console-search]"));
        Assert.NotNull(cut.Find("[data-testid=console-jump-live]"));
        // Read-only: the only input is the search box; no command line, no send button.
        Assert.Single(cut.FindAll("input"));
        Assert.Empty(cut.FindAll("[data-testid=command-input], .console-input"));
    }

    public void Dispose() => ctx.Dispose();
}
