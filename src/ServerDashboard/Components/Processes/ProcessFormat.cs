using System.Globalization;

namespace ServerDashboard.Components.Processes;

/// <summary>How the Processes page writes durations and figures. Unknown values are an em dash, never a made-up zero.</summary>
public static class ProcessFormat
{
    public const string Unknown = "—";

    /// <summary>Two units at most, coarsest first: "42 s", "12 min 5 s", "3 h 12 min", "2 d 4 h".</summary>
    public static string Uptime(double? seconds)
    {
        if (seconds is not { } s || double.IsNaN(s) || s < 0)
        {
            return Unknown;
        }

        var t = TimeSpan.FromSeconds(Math.Floor(s));
        return t switch
        {
            { TotalMinutes: < 1 } => $"{t.Seconds} s",
            { TotalHours: < 1 } => $"{t.Minutes} min {t.Seconds} s",
            { TotalDays: < 1 } => $"{t.Hours} h {t.Minutes} min",
            _ => $"{(int)t.TotalDays} d {t.Hours} h",
        };
    }

    public static string Number(double? value, string format = "0.0") =>
        value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : Unknown;

    public static string Number(int? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : Unknown;

    /// <summary>"1 dead entry", "3 dead entries".</summary>
    public static string Count(int count, string singular, string plural) =>
        $"{count.ToString(CultureInfo.InvariantCulture)} {(count == 1 ? singular : plural)}";
}
