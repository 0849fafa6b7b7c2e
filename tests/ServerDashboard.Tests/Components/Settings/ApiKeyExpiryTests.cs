using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using ServerDashboard.Auth;
using SettingsPage = ServerDashboard.Components.Pages.Settings;

namespace ServerDashboard.Tests.Components.Settings;

/// <summary>The Settings form offers the expiry the API and CLI accept; the list shows it, and "Expired" once it passed.</summary>
public sealed class ApiKeyExpiryTests : IDisposable
{
    private readonly DashboardComponentContext ctx = new();
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    public ApiKeyExpiryTests() => ctx.Services.AddSingleton<TimeProvider>(time);

    [Fact]
    public async Task A_key_created_to_expire_in_30_days_shows_its_expiry_and_is_shown_expired_after_it()
    {
        ctx.LogInAs("admin", Roles.Admin);
        var keys = ctx.Services.GetRequiredService<ApiKeyService>();
        var forever = await keys.CreateAsync("forever", Roles.Viewer, "admin", CancellationToken.None);

        var cut = ctx.RenderWithProviders<SettingsPage>();
        cut.WaitForElement("[data-testid=api-keys-grid]");
        cut.Find("input[data-testid=key-name]").Change("monthly report");
        var expiry = cut.FindComponent<MudSelect<int>>();
        await cut.InvokeAsync(() => expiry.Instance.ValueChanged.InvokeAsync(30));
        cut.Find("[data-testid=create-key-form]").Submit();
        var plain = cut.WaitForElement("[data-testid=new-key-value]").TextContent;
        cut.Find("[data-testid=new-key-done]").Click();

        var stored = (await keys.ListAsync(CancellationToken.None)).Single(k => k.Name == "monthly report");
        Assert.Equal(time.GetUtcNow().AddDays(30), stored.ExpiresAt);
        cut.WaitForAssertion(() => Assert.Equal("2026-12-31 12:00", ExpiryCell(cut, stored.Prefix)));
        Assert.Equal("Never", ExpiryCell(cut, forever.Entity.Prefix));
        Assert.NotNull(await keys.ValidateAsync(plain, CancellationToken.None));

        time.Advance(TimeSpan.FromDays(31));
        await ctx.DisposeComponentsAsync(); // one popover provider at a time: the page is opened afresh
        var later = ctx.RenderWithProviders<SettingsPage>();
        later.WaitForAssertion(() => Assert.StartsWith("Expired", ExpiryCell(later, stored.Prefix)));
        Assert.EndsWith("2026-12-31 12:00", ExpiryCell(later, stored.Prefix));
        Assert.Equal("Never", ExpiryCell(later, forever.Entity.Prefix));
        Assert.Null(await keys.ValidateAsync(plain, CancellationToken.None)); // what the list says: it is refused
    }

    [Fact]
    public void The_expiry_choices_are_never_30_90_and_365_days_and_default_to_never()
    {
        ctx.LogInAs("admin", Roles.Admin);
        var cut = ctx.RenderWithProviders<SettingsPage>();
        cut.WaitForElement("[data-testid=api-keys-empty]");
        Assert.NotNull(cut.FindComponent<MudSelect<int>>());
        Assert.Null(new ServerDashboard.Components.Settings.ApiKeyInput().ExpiresAt(time.GetUtcNow())); // the default: never
        Assert.Equal([0, 30, 90, 365], ServerDashboard.Components.Settings.ApiKeyInput.ExpiryChoices);
        Assert.Equal("Never", ServerDashboard.Components.Settings.ApiKeyInput.ExpiryText(0));
        Assert.Equal("In 90 days", ServerDashboard.Components.Settings.ApiKeyInput.ExpiryText(90));
    }

    private static string ExpiryCell(IRenderedComponent<Microsoft.AspNetCore.Components.IComponent> cut, string prefix) =>
        string.Join(' ', cut.Find($"[data-testid=api-key-expiry-{prefix}]").TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    public void Dispose() => ctx.Dispose();
}
