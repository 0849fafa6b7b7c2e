using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor;
using MudBlazor.Services;
using ServerDashboard.Auth;
using ServerDashboard.Components.Layout;

namespace ServerDashboard.Tests.Components.Layout;

/// <summary>The shell: a navigation drawer beside the page on a wide screen, an overlay on a phone; Log out everywhere.</summary>
public sealed class MainLayoutTests : IDisposable
{
    private readonly DashboardComponentContext ctx = new();

    [Fact]
    public void On_a_phone_the_drawer_starts_closed_and_opens_over_the_page_as_a_temporary_overlay()
    {
        var viewport = UseViewport(390, 844, Breakpoint.Xs);
        ctx.LogInAs("admin", Roles.Admin);

        var cut = RenderLayout();

        cut.WaitForAssertion(() => Assert.Contains("mud-drawer--closed", Drawer(cut).ClassName));
        Assert.True(viewport.Subscribed);

        cut.Find("[data-testid=drawer-toggle]").Click();

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("mud-drawer--open", Drawer(cut).ClassName);
            Assert.NotEmpty(cut.FindAll(".mud-drawer-overlay, .mud-overlay-drawer, .mud-overlay")); // over the page, not beside it
        });
        Assert.NotNull(cut.Find("[data-testid=logout]")); // the way out is in the app bar, not in the drawer
    }

    [Fact]
    public void On_a_wide_screen_the_drawer_is_open_beside_the_page()
    {
        UseViewport(1440, 900, Breakpoint.Xl);
        ctx.LogInAs("admin", Roles.Admin);

        var cut = RenderLayout();

        cut.WaitForAssertion(() => Assert.Contains("mud-drawer--open", Drawer(cut).ClassName));
        Assert.Empty(cut.FindAll(".mud-drawer-overlay, .mud-overlay-drawer, .mud-overlay"));
        Assert.Contains("Users", cut.Find("[data-testid=drawer]").TextContent);
    }

    [Fact]
    public void A_viewer_has_no_Users_link_but_a_Log_out_button()
    {
        UseViewport(1440, 900, Breakpoint.Xl);
        ctx.LogInAs("victor", Roles.Viewer);

        var cut = RenderLayout();

        Assert.DoesNotContain("Users", cut.Find("[data-testid=drawer]").TextContent);
        Assert.Equal("Log out", cut.Find("[data-testid=logout]").TextContent.Trim());
        Assert.Equal("account/logout", cut.Find("form.logout-form").GetAttribute("action"));
    }

    private static AngleSharp.Dom.IElement Drawer(IRenderedComponent<MainLayout> cut) => cut.Find("aside.mud-drawer, .mud-drawer");

    private IRenderedComponent<MainLayout> RenderLayout() =>
        ctx.Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddContent(0, "page"))));

    private FakeViewport UseViewport(int width, int height, Breakpoint breakpoint)
    {
        var viewport = new FakeViewport(width, height, breakpoint);
        ctx.Services.Replace(ServiceDescriptor.Scoped<IBrowserViewportService>(_ => viewport));
        return viewport;
    }

    public void Dispose() => ctx.Dispose();

    /// <summary>A browser window of a fixed size: what MudBlazor's JS would report, without the browser.</summary>
    private sealed class FakeViewport(int width, int height, Breakpoint breakpoint) : IBrowserViewportService
    {
        public bool Subscribed { get; private set; }

        public ResizeOptions ResizeOptions { get; } = new();

        public async Task SubscribeAsync(IBrowserViewportObserver observer, bool fireImmediately = true)
        {
            Subscribed = true;
            if (fireImmediately)
            {
                await observer.NotifyBrowserViewportChangeAsync(new BrowserViewportEventArgs(observer.Id, Size, breakpoint, isImmediate: true));
            }
        }

        public Task SubscribeAsync(Guid observerId, Action<BrowserViewportEventArgs> lambda, ResizeOptions? options = null, bool fireImmediately = true)
        {
            Subscribed = true;
            if (fireImmediately)
            {
                lambda(new BrowserViewportEventArgs(observerId, Size, breakpoint, isImmediate: true));
            }

            return Task.CompletedTask;
        }

        public async Task SubscribeAsync(Guid observerId, Func<BrowserViewportEventArgs, Task> lambda, ResizeOptions? options = null, bool fireImmediately = true)
        {
            Subscribed = true;
            if (fireImmediately)
            {
                await lambda(new BrowserViewportEventArgs(observerId, Size, breakpoint, isImmediate: true));
            }
        }

        public Task UnsubscribeAsync(IBrowserViewportObserver observer) => Task.CompletedTask;

        public Task UnsubscribeAsync(Guid observerId) => Task.CompletedTask;

        public Task<bool> IsMediaQueryMatchAsync(string mediaQuery) => Task.FromResult(false);

        // Only the subscription matters to the drawer; these answer "no" rather than guess MudBlazor's breakpoint rules.
        public Task<bool> IsBreakpointWithinWindowSizeAsync(Breakpoint value) => Task.FromResult(value == breakpoint);

        public Task<bool> IsBreakpointWithinReferenceSizeAsync(Breakpoint value, Breakpoint reference) => Task.FromResult(value == reference);

        public Task<Breakpoint> GetCurrentBreakpointAsync() => Task.FromResult(breakpoint);

        public Task<BrowserWindowSize> GetCurrentBrowserWindowSizeAsync() => Task.FromResult(Size);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private BrowserWindowSize Size => new() { Width = width, Height = height };
    }
}
