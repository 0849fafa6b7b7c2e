using Bunit;
using Microsoft.AspNetCore.Components;
using ServerDashboard.Auth;
using ServerDashboard.Components.Pages;

namespace ServerDashboard.Tests.Components.Settings;

/// <summary>Pages without data (features not built yet, or an empty audit log) say so plainly instead of showing made-up data.</summary>
public sealed class EmptyStatePagesTests : IDisposable
{
    private readonly DashboardComponentContext ctx = new();

    public static TheoryData<Type, string, string> Pages => new()
    {
        { typeof(ServerDashboard.Components.Pages.Audit), "Audit", "Power actions, console commands and changes to server definitions appear here" },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public void The_page_renders_an_honest_empty_state(Type page, string heading, string text)
    {
        ctx.LogInAs("victor", Roles.Viewer);

        var cut = ctx.Render(builder =>
        {
            builder.OpenComponent(0, page);
            builder.CloseComponent();
        });

        Assert.Equal(heading, cut.Find("h1").TextContent);
        Assert.Contains(text, cut.Find("[data-testid=empty-state]").TextContent);
        Assert.Empty(cut.FindAll("table"));
    }

    public void Dispose() => ctx.Dispose();
}
