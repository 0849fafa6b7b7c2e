using System.Globalization;
using ServerDashboard.Data;

namespace ServerDashboard.Servers.Crashes;

/// <summary>One line about a crash for summaries and tooltips: "Exit code 3 after 2 m 5 s · 12:03:44".</summary>
public static class CrashSummary
{
    public static string Describe(CrashRecord crash)
    {
        var cause = crash.Classification switch
        {
            CrashClassification.Signal or CrashClassification.OomKilled when crash.Signal is { } signal => $"{Label(crash.Classification)} (signal {signal})",
            _ when crash.ExitCode is { } code => $"{Label(crash.Classification)} (exit code {code})",
            _ => Label(crash.Classification),
        };
        var uptime = crash.UptimeSeconds is { } seconds ? $" after {Duration(seconds)}" : "";
        return $"{cause}{uptime}";
    }

    public static string Label(CrashClassification classification) => classification switch
    {
        CrashClassification.Crash => "Crashed",
        CrashClassification.Signal => "Killed by signal",
        CrashClassification.OomKilled => "Killed by the OOM killer",
        CrashClassification.StartupFailure => "Startup failure",
        CrashClassification.StartupTimeout => "Startup timeout",
        CrashClassification.VanishedWhileDown => "Vanished while the dashboard was down",
        _ => classification.ToString(),
    };

    public static string Duration(double seconds)
    {
        var span = TimeSpan.FromSeconds(Math.Max(0, seconds));
        return span.TotalDays >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalDays} d {span.Hours} h")
            : span.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.Hours} h {span.Minutes} m")
            : span.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.Minutes} m {span.Seconds} s")
            : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#} s");
    }
}
