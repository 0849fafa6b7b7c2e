using MudBlazor;
using ServerDashboard.Servers;

namespace ServerDashboard.Components.Layout;

/// <summary>
/// The dashboard's one theme: palette (light and dark), typography and spacing. Every colour a page shows comes from here
/// or from MudBlazor's CSS variables derived from it. Text colours are chosen for WCAG AA (at least 4.5:1) against the
/// surfaces they sit on, in both palettes; the browser contrast test measures the rendered result.
/// </summary>
public static class DashboardTheme
{
    /// <summary>The cookie that remembers the user's light/dark choice ("light" or "dark"); absent = follow the system.</summary>
    public const string CookieName = "ServerDashboardTheme";

    // Platform fonts only: the dashboard runs offline, so no web font is fetched.
    private static readonly string[] Sans = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Ubuntu", "Cantarell", "Noto Sans", "sans-serif"];

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3949ab",
            PrimaryContrastText = "#ffffff",
            Secondary = "#455a64",
            SecondaryContrastText = "#ffffff",
            Tertiary = "#00695c",
            Info = "#1565c0",
            InfoContrastText = "#ffffff",
            Success = "#2e7d32",
            SuccessContrastText = "#ffffff",
            Warning = "#a14a00",
            WarningContrastText = "#ffffff",
            Error = "#c62828",
            ErrorContrastText = "#ffffff",
            Dark = "#5f6670",
            DarkContrastText = "#ffffff",
            Background = "#f4f6f9",
            BackgroundGray = "#eceff3",
            Surface = "#ffffff",
            AppbarBackground = "#283593",
            AppbarText = "#ffffff",
            DrawerBackground = "#ffffff",
            DrawerText = "#1f2933",
            DrawerIcon = "#3d4650",
            TextPrimary = "#1f2933",
            TextSecondary = "#4f5b67",
            TextDisabled = "#7b8591",
            ActionDefault = "#4f5b67",
            LinesDefault = "#dfe3e8",
            LinesInputs = "#8a949e",
            TableLines = "#e5e8ec",
            TableHover = "#f0f2f6",
            Divider = "#dfe3e8",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#9fa8da",
            PrimaryContrastText = "#10163a",
            Secondary = "#b0bec5",
            SecondaryContrastText = "#11181c",
            Tertiary = "#80cbc4",
            Info = "#64b5f6",
            InfoContrastText = "#0a1929",
            Success = "#81c784",
            SuccessContrastText = "#0b1f0c",
            Warning = "#ffb74d",
            WarningContrastText = "#241400",
            Error = "#ef9a9a",
            ErrorContrastText = "#2a0a0a",
            Dark = "#9aa3ad",
            DarkContrastText = "#111418",
            Black = "#0d1014",
            Background = "#121418",
            BackgroundGray = "#181b21",
            Surface = "#1c1f26",
            AppbarBackground = "#1c1f26",
            AppbarText = "#e6e8eb",
            DrawerBackground = "#171a20",
            DrawerText = "#e6e8eb",
            DrawerIcon = "#c3c9d1",
            TextPrimary = "#e6e8eb",
            TextSecondary = "#b4bcc6",
            TextDisabled = "#8a939e",
            ActionDefault = "#c3c9d1",
            ActionDisabled = "#6b737d",
            LinesDefault = "#2e333c",
            LinesInputs = "#6b737d",
            TableLines = "#2a2f37",
            TableHover = "#242832",
            Divider = "#2e333c",
            OverlayLight = "rgba(18,20,24,0.6)",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = Sans, FontSize = ".9375rem", LineHeight = "1.5" },
            H4 = new H4Typography { FontFamily = Sans, FontSize = "1.75rem", FontWeight = "600", LineHeight = "1.25" },
            H5 = new H5Typography { FontFamily = Sans, FontSize = "1.35rem", FontWeight = "600", LineHeight = "1.3" },
            H6 = new H6Typography { FontFamily = Sans, FontSize = "1.1rem", FontWeight = "600", LineHeight = "1.4" },
            Button = new ButtonTypography { FontFamily = Sans, FontWeight = "600", TextTransform = "none" },
            Body1 = new Body1Typography { FontFamily = Sans, FontSize = ".9375rem" },
            Body2 = new Body2Typography { FontFamily = Sans, FontSize = ".875rem" },
            Caption = new CaptionTypography { FontFamily = Sans, FontSize = ".8rem" },
            Overline = new OverlineTypography { FontFamily = Sans, FontSize = ".72rem", FontWeight = "600", LetterSpacing = ".08em" },
            Subtitle1 = new Subtitle1Typography { FontFamily = Sans },
            Subtitle2 = new Subtitle2Typography { FontFamily = Sans, FontWeight = "600" },
        },
        LayoutProperties = new LayoutProperties
        {
            DefaultBorderRadius = "8px",
            DrawerWidthLeft = "232px",
            AppbarHeight = "60px",
        },
    };

    /// <summary>
    /// Status colours, the same everywhere: Running green, Starting/Stopping blue, Crashed/Error red, Backoff amber,
    /// Stopped (and anything unknown) neutral grey. Always shown with the state's name, never colour alone.
    /// </summary>
    public static Color StatusColor(string state) => state.ToLowerInvariant() switch
    {
        "running" => Color.Success,
        "starting" or "stopping" => Color.Info,
        "crashed" or "error" => Color.Error,
        "backoff" => Color.Warning,
        _ => Color.Dark,
    };

    public static Color StatusColor(ServerState state) => StatusColor(state.ToString());
}
