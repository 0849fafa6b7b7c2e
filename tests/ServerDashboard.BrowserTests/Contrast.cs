using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace ServerDashboard.BrowserTests;

/// <summary>WCAG 2.x contrast from computed CSS colours (sRGB, relative luminance, (L1 + 0.05) / (L2 + 0.05)).</summary>
public static partial class Contrast
{
    public readonly record struct Rgba(double R, double G, double B, double A)
    {
        public override string ToString() => A >= 1
            ? $"#{(int)Math.Round(R):x2}{(int)Math.Round(G):x2}{(int)Math.Round(B):x2}"
            : $"rgba({R:0},{G:0},{B:0},{A:0.##})";
    }

    /// <summary>
    /// The element's text colour and the colour behind it: its own background or its nearest ancestor's, with
    /// translucent layers composited down to the first opaque one (the page is white if none is).
    /// </summary>
    public static async Task<(Rgba Foreground, Rgba Background)> ColoursAsync(IPage page, string selector)
    {
        var colours = await page.EvaluateAsync<string[]>(
            """
            selector => {
              const el = document.querySelector(selector);
              if (!el) throw new Error('no element for ' + selector);
              const layers = [];
              for (let n = el; n; n = n.parentElement) {
                const bg = getComputedStyle(n).backgroundColor;
                layers.push(bg);
                const m = bg.match(/rgba?\(([^)]+)\)/);
                const alpha = m && m[1].split(',').length === 4 ? parseFloat(m[1].split(',')[3]) : 1;
                if (alpha >= 1) break;
              }
              return [getComputedStyle(el).color, ...layers];
            }
            """, selector);
        var background = new Rgba(255, 255, 255, 1);
        foreach (var layer in colours.Skip(1).Reverse())
        {
            background = Over(Parse(layer), background);
        }

        return (Over(Parse(colours[0]), background), background);
    }

    public static Rgba Parse(string css)
    {
        var match = CssColour().Match(css);
        if (!match.Success)
        {
            throw new FormatException($"not an rgb()/rgba() colour: {css}");
        }

        var parts = match.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries).Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return new Rgba(parts[0], parts[1], parts[2], parts.Length > 3 ? parts[3] : 1);
    }

    /// <summary>Source-over compositing of <paramref name="top"/> on an opaque <paramref name="bottom"/>.</summary>
    public static Rgba Over(Rgba top, Rgba bottom) => new(
        top.R * top.A + bottom.R * (1 - top.A),
        top.G * top.A + bottom.G * (1 - top.A),
        top.B * top.A + bottom.B * (1 - top.A),
        1);

    public static double Luminance(Rgba c)
    {
        static double Channel(double v)
        {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : Math.Pow((v + 0.055) / 1.055, 2.4);
        }

        return 0.2126 * Channel(c.R) + 0.7152 * Channel(c.G) + 0.0722 * Channel(c.B);
    }

    public static double Ratio(Rgba a, Rgba b)
    {
        var (la, lb) = (Luminance(a), Luminance(b));
        return (Math.Max(la, lb) + 0.05) / (Math.Min(la, lb) + 0.05);
    }

    [GeneratedRegex(@"rgba?\(([^)]+)\)")]
    private static partial Regex CssColour();
}
