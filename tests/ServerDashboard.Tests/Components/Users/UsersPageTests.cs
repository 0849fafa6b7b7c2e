using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using UsersPage = ServerDashboard.Components.Pages.Users;

namespace ServerDashboard.Tests.Components.Users;

public sealed class UsersPageTests : IDisposable
{
    private readonly DashboardComponentContext ctx = new();

    [Fact]
    public async Task The_page_lists_users_with_their_roles_and_marks_the_current_user()
    {
        await ctx.AddUserAsync("admin", Roles.Admin);
        await ctx.AddUserAsync("alice", Roles.Operator);
        ctx.LogInAs("admin", Roles.Admin);

        var cut = ctx.Render<UsersPage>();

        cut.WaitForAssertion(() => Assert.Equal(["admin", "alice"], cut.FindAll("[data-testid=user-name]").Select(e => e.TextContent)));
        Assert.Single(cut.Find("[data-testid=user-row-admin]").QuerySelectorAll("[data-testid=you-badge]"));
        Assert.Empty(cut.Find("[data-testid=user-row-alice]").QuerySelectorAll("[data-testid=you-badge]"));
        Assert.Contains("Operator", cut.Find("[data-testid=user-role-alice]").TextContent);
    }

    [Fact]
    public async Task The_last_Admin_cannot_be_deleted_or_demoted_and_the_row_says_why_up_front()
    {
        await ctx.AddUserAsync("admin", Roles.Admin);
        await ctx.AddUserAsync("alice", Roles.Viewer);
        ctx.LogInAs("admin", Roles.Admin);
        var cut = RenderWithDialogs();

        var delete = cut.WaitForElement("[data-testid=delete-user-admin]");

        Assert.True(delete.HasAttribute("disabled"));
        Assert.Contains("The only Admin", cut.Find("[data-testid=last-admin-admin]").TextContent);
        Assert.Contains("mud-disabled", cut.Find("[data-testid=user-role-admin]").ParentElement!.ParentElement!.OuterHtml);
        Assert.False(cut.Find("[data-testid=delete-user-alice]").HasAttribute("disabled"));
        Assert.Empty(cut.FindAll("[data-testid=last-admin-alice]"));
        Assert.Empty(cut.FindAll("[data-testid=confirm-ok]")); // no dialog to refuse later
        Assert.Contains(await ListUsersAsync(), u => u.UserName == "admin" && u.Role == Roles.Admin);
    }

    [Fact]
    public async Task With_a_second_Admin_either_Admin_can_be_deleted()
    {
        await ctx.AddUserAsync("admin", Roles.Admin);
        await ctx.AddUserAsync("ada", Roles.Admin);
        ctx.LogInAs("admin", Roles.Admin);
        var cut = RenderWithDialogs();

        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=delete-user-ada]").HasAttribute("disabled")));
        Assert.False(cut.Find("[data-testid=delete-user-admin]").HasAttribute("disabled"));
        Assert.Empty(cut.FindAll("[data-testid^=last-admin-]"));
    }

    [Fact]
    public async Task Deleting_another_user_after_confirmation_removes_them()
    {
        await ctx.AddUserAsync("admin", Roles.Admin);
        await ctx.AddUserAsync("alice", Roles.Viewer);
        ctx.LogInAs("admin", Roles.Admin);
        var cut = RenderWithDialogs();

        cut.WaitForElement("[data-testid=delete-user-alice]").Click();
        cut.WaitForElement("[data-testid=confirm-ok]").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=user-row-alice]")));
        Assert.DoesNotContain(await ListUsersAsync(), u => u.UserName == "alice");
        Assert.Empty(cut.FindAll("[data-testid=users-error]"));
    }

    [Fact]
    public async Task Creating_a_user_with_a_weak_password_shows_Identitys_reasons()
    {
        await ctx.AddUserAsync("admin", Roles.Admin);
        ctx.LogInAs("admin", Roles.Admin);
        var cut = ctx.Render<UsersPage>();

        cut.WaitForElement("input[data-testid=new-user-name]").Change("bob");
        cut.Find("input[data-testid=new-user-password]").Change("short");
        cut.Find("[data-testid=create-user-form]").Submit();

        cut.WaitForAssertion(() => Assert.Contains("at least 10 characters", cut.Find("[data-testid=create-user-errors]").TextContent));
        Assert.DoesNotContain(await ListUsersAsync(), u => u.UserName == "bob");
    }

    [Fact]
    public async Task Creating_a_user_adds_them_to_the_grid_with_the_chosen_role()
    {
        await ctx.AddUserAsync("admin", Roles.Admin);
        ctx.LogInAs("admin", Roles.Admin);
        var cut = ctx.Render<UsersPage>();

        cut.WaitForElement("input[data-testid=new-user-name]").Change("bob");
        cut.Find("input[data-testid=new-user-password]").Change("Bob-password-42");
        cut.Find("[data-testid=create-user-form]").Submit();

        cut.WaitForElement("[data-testid=user-row-bob]");
        Assert.Contains(await ListUsersAsync(), u => u.UserName == "bob" && u.Role == Roles.Viewer);
    }

    private async Task<IReadOnlyList<UserSummary>> ListUsersAsync()
    {
        await using var scope = ctx.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UserAdministration>().ListAsync(CancellationToken.None);
    }

    /// <summary>The page beside MudBlazor's providers, which host dialogs and popovers as the layout does.</summary>
    private IRenderedComponent<IComponent> RenderWithDialogs() => ctx.RenderWithProviders<UsersPage>();

    public void Dispose() => ctx.Dispose();
}
