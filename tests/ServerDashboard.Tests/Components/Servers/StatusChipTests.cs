using Microsoft.Extensions.DependencyInjection;
using Bunit;
using MudBlazor;
using ServerDashboard.Components.Layout;
using ServerDashboard.Components.Servers;
using ServerDashboard.Servers;

namespace ServerDashboard.Tests.Components.Servers;

/// <summary>Every state is a chip with its name (never colour alone), in the one colour the theme gives that state.</summary>
public sealed class StatusChipTests : IDisposable
{
    private readonly DashboardComponentContext ctx = new();

    [Theory]
    [InlineData(ServerState.Running, "success")]
    [InlineData(ServerState.Starting, "info")]
    [InlineData(ServerState.Stopping, "info")]
    [InlineData(ServerState.Crashed, "error")]
    [InlineData(ServerState.Error, "error")]
    [InlineData(ServerState.Stopped, "dark")]
    [InlineData(ServerState.Backoff, "warning")]
    public void Each_state_shows_its_name_in_its_colour_with_the_reason_as_tooltip(ServerState state, string colour)
    {
        var status = new ServerStatus(7, state, null, null, false, null, "the reason", DateTimeOffset.UnixEpoch);

        var cut = ctx.Render<StatusChip>(p => p.Add(c => c.Status, status));

        var chip = cut.Find("[data-testid=status-7]");
        Assert.Equal(state.ToString(), chip.TextContent.Trim());
        Assert.Equal(state.ToString(), chip.GetAttribute("data-state"));
        Assert.Contains($"mud-chip-color-{colour}", chip.ClassName);
        Assert.Equal("the reason", chip.GetAttribute("title"));
    }

    [Fact]
    public void Backoff_is_amber_and_counts_down_to_the_next_attempt()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T12:00:00Z"));
        ctx.Services.AddSingleton<TimeProvider>(time);
        var status = new ServerStatus(8, ServerState.Backoff, null, null, false, null, "restarting in 16 s (OnFailure, attempt 5)",
            time.GetUtcNow(), NextAttemptAt: time.GetUtcNow().AddSeconds(16), Attempt: 5);

        var cut = ctx.Render<StatusChip>(p => p.Add(c => c.Status, status));

        var chip = cut.Find("[data-testid=status-8]");
        Assert.Equal("Backoff 16 s", chip.TextContent.Trim());
        Assert.Equal("Backoff", chip.GetAttribute("data-state"));
        Assert.Contains("mud-chip-color-warning", chip.ClassName);
        time.Advance(TimeSpan.FromSeconds(5));
        cut.WaitForAssertion(() => Assert.Equal("Backoff 11 s", cut.Find("[data-testid=status-8]").TextContent.Trim()));
        time.Advance(TimeSpan.FromSeconds(30));
        cut.WaitForAssertion(() => Assert.Equal("Backoff 0 s", cut.Find("[data-testid=status-8]").TextContent.Trim()));
    }

    [Fact]
    public void An_unhealthy_running_server_shows_the_flag_beside_its_state_with_the_reason()
    {
        var since = DateTimeOffset.Parse("2026-12-01T12:00:00Z");
        var status = new ServerStatus(9, ServerState.Running, 1234, since, false, null, null, since,
            Health: new ServerHealth(false, "game port 25565 refused 3 checks", since));

        var cut = ctx.Render<StatusChip>(p => p.Add(c => c.Status, status));

        Assert.Equal("Running", cut.Find("[data-testid=status-9]").TextContent.Trim());
        var flag = cut.Find("[data-testid=health-9]");
        Assert.Equal("Unhealthy", flag.TextContent.Trim());
        Assert.Equal("game port 25565 refused 3 checks", flag.GetAttribute("title"));
        Assert.Contains("mud-chip-color-warning", flag.ClassName);
    }

    [Fact]
    public void A_healthy_server_has_no_flag()
    {
        var since = DateTimeOffset.UnixEpoch;
        var status = new ServerStatus(10, ServerState.Running, 1234, since, false, null, null, since, Health: new ServerHealth(true, null, since));

        var cut = ctx.Render<StatusChip>(p => p.Add(c => c.Status, status));

        Assert.Empty(cut.FindAll("[data-testid=health-10]"));
    }

    [Theory]
    [InlineData("running", Color.Success)]
    [InlineData("Backoff", Color.Warning)]
    [InlineData("BACKOFF", Color.Warning)]
    [InlineData("stopping", Color.Info)]
    [InlineData("crashed", Color.Error)]
    [InlineData("something new", Color.Dark)]
    public void The_theme_maps_state_names_to_colours_case_insensitively(string state, Color expected) =>
        Assert.Equal(expected, DashboardTheme.StatusColor(state));

    public void Dispose() => ctx.Dispose();
}
