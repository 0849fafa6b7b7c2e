namespace ServerDashboard.Components.Settings;

/// <summary>A Radzen theme family with its light and dark CSS theme names.</summary>
public sealed record ThemeFamily(string Name, string Light, string Dark)
{
    /// <summary>The free themes shipped with Radzen.Blazor 12 (its "default" family names its dark variant plain "dark").</summary>
    public static readonly IReadOnlyList<ThemeFamily> All =
    [
        new("Material", "material", "material-dark"),
        new("Standard", "standard", "standard-dark"),
        new("Software", "software", "software-dark"),
        new("Humanistic", "humanistic", "humanistic-dark"),
        new("Default", "default", "dark"),
    ];

    public static ThemeFamily Of(string? theme) =>
        All.FirstOrDefault(f => string.Equals(f.Light, theme, StringComparison.OrdinalIgnoreCase)
                              || string.Equals(f.Dark, theme, StringComparison.OrdinalIgnoreCase)) ?? All[0];

    public static bool IsDark(string? theme) => All.Any(f => string.Equals(f.Dark, theme, StringComparison.OrdinalIgnoreCase));

    public string Pick(bool dark) => dark ? Dark : Light;
}
