using Microsoft.Playwright;

namespace ServerDashboard.BrowserTests;

/// <summary>What every page has: static assets from the top-level wwwroot, the reconnect element, the theme switch.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ShellTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_top_level_wwwroot_is_served()
    {
        var page = await fixture.NewPageAsync();

        var css = await page.APIRequest.GetAsync("/css/app.css");
        var logo = await page.APIRequest.GetAsync("/img/logo.svg");

        Assert.Equal(200, css.Status);
        Assert.Contains("ServerDashboard styles", await css.TextAsync());
        Assert.Equal(200, logo.Status);
    }

    [Fact]
    public async Task The_classic_reconnect_element_is_in_the_page_and_hidden_while_connected()
    {
        var page = await fixture.LoggedInPageAsync();

        var modal = page.Locator("#components-reconnect-modal");

        Assert.Equal(1, await modal.CountAsync());
        Assert.False(await modal.IsVisibleAsync());
        Assert.Equal(1, await page.Locator("#components-reconnect-retry").CountAsync());
    }

    [Fact]
    public async Task The_reconnect_overlay_shows_the_message_for_each_state_the_blazor_script_sets()
    {
        var page = await fixture.LoggedInPageAsync();
        var modal = page.Locator("#components-reconnect-modal");

        // The bundled script toggles these classes; set them as it would and check what a user sees.
        await page.EvaluateAsync("document.getElementById('components-reconnect-modal').className = 'components-reconnect-show'");
        await Assertions.Expect(modal).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".reconnect-show")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#components-reconnect-retry")).ToBeHiddenAsync();

        await page.EvaluateAsync("document.getElementById('components-reconnect-modal').className = 'components-reconnect-failed'");
        await Assertions.Expect(page.Locator("#components-reconnect-retry")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".reconnect-show")).ToBeHiddenAsync();

        await page.EvaluateAsync("document.getElementById('components-reconnect-modal').className = 'components-reconnect-hide'");
        await Assertions.Expect(modal).ToBeHiddenAsync();
    }

    [Fact]
    public async Task The_appearance_toggle_switches_to_the_dark_theme_and_the_choice_survives_a_reload()
    {
        var page = await fixture.LoggedInPageAsync();
        var themeLink = page.Locator("#radzen-theme-link");
        Assert.DoesNotContain("dark", await themeLink.GetAttributeAsync("href"));

        await page.Locator("[title='Light / dark theme']").First.ClickAsync();

        await Assertions.Expect(themeLink).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("dark"));
        await page.ReloadAsync();
        await BrowserFixture.WaitForCircuitAsync(page);
        Assert.Contains("dark", await page.Locator("#radzen-theme-link").GetAttributeAsync("href"));
    }
}
