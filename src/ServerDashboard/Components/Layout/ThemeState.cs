using Microsoft.JSInterop;

namespace ServerDashboard.Components.Layout;

/// <summary>
/// Light or dark for one browser tab (scoped: one per request while prerendering, one per circuit after). App.razor seeds it
/// from the theme cookie, so the first paint already has the right palette; a change is written back to the cookie by the
/// small script in App.razor's head and announced to the layout and the Settings page.
/// </summary>
public sealed class ThemeState(IJSRuntime js)
{
    public bool IsDark { get; private set; }

    public event Action? Changed;

    public void Initialize(bool dark) => IsDark = dark;

    public async Task SetAsync(bool dark)
    {
        if (dark == IsDark)
        {
            return;
        }

        IsDark = dark;
        Changed?.Invoke();
        try
        {
            await js.InvokeVoidAsync("dashboardTheme.save", dark ? "dark" : "light");
        }
        catch (JSDisconnectedException)
        {
            // The tab is gone: nothing to remember the choice in.
        }
    }
}
