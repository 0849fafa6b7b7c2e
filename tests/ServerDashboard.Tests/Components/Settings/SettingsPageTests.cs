using System.Security.Cryptography;
using System.Text;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.JSInterop;
using ServerDashboard.Auth;
using SettingsPage = ServerDashboard.Components.Pages.Settings;

namespace ServerDashboard.Tests.Components.Settings;

public sealed class SettingsPageTests : IDisposable
{
    private readonly DashboardComponentContext ctx = new();

    [Fact]
    public void An_Admin_sees_API_key_management()
    {
        ctx.LogInAs("admin", Roles.Admin);

        var cut = ctx.Render<SettingsPage>();

        cut.WaitForElement("[data-testid=api-keys-empty]");
        Assert.NotNull(cut.Find("[data-testid=create-key]"));
        Assert.Empty(cut.FindAll("[data-testid=api-keys-admin-only]"));
    }

    [Fact]
    public void A_Viewer_is_told_only_Admins_manage_keys_and_sees_no_key_controls()
    {
        ctx.LogInAs("victor", Roles.Viewer);

        var cut = ctx.Render<SettingsPage>();

        Assert.Contains("Only Admins manage API keys", cut.Find("[data-testid=api-keys-admin-only]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=create-key]"));
        Assert.Empty(cut.FindAll("[data-testid=api-keys-grid], [data-testid=api-keys-empty]"));
    }

    [Fact]
    public async Task Creating_a_key_shows_it_once_and_stores_only_its_hash()
    {
        ctx.LogInAs("admin", Roles.Admin);
        var cut = RenderWithDialogs();

        cut.Find("input[data-testid=key-name]").Change("backup script");
        cut.Find("[data-testid=create-key-form]").Submit();

        var shown = cut.WaitForElement("[data-testid=new-key-value]").TextContent;
        Assert.Matches("^sdk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$", shown);
        Assert.Contains("Send it as header X-Api-Key. It will not be shown again.", cut.Find("[data-testid=new-key-hint]").TextContent);

        var stored = Assert.Single(await ctx.Services.GetRequiredService<ApiKeyService>().ListAsync(CancellationToken.None));
        Assert.Equal("backup script", stored.Name);
        Assert.Equal(Roles.Viewer, stored.Role);
        Assert.Equal("admin", stored.CreatedBy);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(shown))), stored.Hash);
        Assert.DoesNotContain(shown, stored.Hash + stored.Prefix + stored.Name);
        AssertNotInDatabaseFiles(shown[13..]); // the secret part after "sdk_<prefix>_"

        cut.Find("[data-testid=new-key-done]").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=new-key-dialog]")));
        Assert.DoesNotContain(shown, cut.Markup);
        Assert.Contains($"sdk_{stored.Prefix}_…", cut.Find("[data-testid=api-key-prefix]").TextContent);
    }

    [Fact]
    public void When_the_browser_refuses_the_clipboard_the_dialog_says_to_copy_by_hand()
    {
        ctx.LogInAs("admin", Roles.Admin);
        ctx.JSInterop.SetupVoid("navigator.clipboard.writeText", _ => true).SetException(new JSException("navigator.clipboard is undefined"));
        var cut = RenderWithDialogs();
        cut.Find("input[data-testid=key-name]").Change("deploy");
        cut.Find("[data-testid=create-key-form]").Submit();

        cut.WaitForElement("[data-testid=copy-key]").Click();

        cut.WaitForAssertion(() => Assert.Contains("copy it by hand", cut.Find("[data-testid=copy-key-error]").TextContent));
    }

    [Fact]
    public async Task Revoking_a_key_after_confirmation_deletes_it()
    {
        ctx.LogInAs("admin", Roles.Admin);
        var keys = ctx.Services.GetRequiredService<ApiKeyService>();
        var created = await keys.CreateAsync("old script", Roles.Operator, "admin", CancellationToken.None);
        var cut = RenderWithDialogs();

        cut.WaitForElement($"[data-testid=revoke-key-{created.Entity.Prefix}]").Click();
        cut.WaitForElement("[data-testid=confirm-ok]").Click(); // "Revoke"

        cut.WaitForElement("[data-testid=api-keys-empty]");
        Assert.Empty(await keys.ListAsync(CancellationToken.None));
        Assert.Null(await keys.ValidateAsync(created.PlainTextKey, CancellationToken.None));
    }

    [Fact]
    public void The_About_section_shows_the_data_directory_and_runtime()
    {
        ctx.LogInAs("victor", Roles.Viewer);

        var cut = ctx.Render<SettingsPage>();

        Assert.Equal(ctx.Data.Path, cut.Find("[data-testid=about-data-dir]").TextContent);
        Assert.Contains(".NET", cut.Find("[data-testid=about-runtime]").TextContent);
        Assert.Contains("0.1.0", cut.Find("[data-testid=about-version]").TextContent);
    }

    /// <summary>The page beside MudBlazor's providers, which host dialogs and popovers as the layout does.</summary>
    private IRenderedComponent<IComponent> RenderWithDialogs() => ctx.RenderWithProviders<SettingsPage>();

    private void AssertNotInDatabaseFiles(string secret)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // flush and close so the files are complete
        foreach (var file in Directory.GetFiles(ctx.Data.Path, "dashboard.db*"))
        {
            Assert.DoesNotContain(secret, Encoding.Latin1.GetString(File.ReadAllBytes(file)));
        }
    }

    public void Dispose() => ctx.Dispose();
}
