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
    public void Backoff_a_state_named_by_text_is_amber()
    {
        var status = new ServerStatus(8, ServerState.Stopped, null, null, false, null, "restarting in 8 s", DateTimeOffset.UnixEpoch);

        var cut = ctx.Render<StatusChip>(p => p.Add(c => c.Status, status).Add(c => c.StateName, "Backoff"));

        var chip = cut.Find("[data-testid=status-8]");
        Assert.Equal("Backoff", chip.TextContent.Trim());
        Assert.Contains("mud-chip-color-warning", chip.ClassName);
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
