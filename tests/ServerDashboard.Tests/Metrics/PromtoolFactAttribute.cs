using System.Diagnostics;

namespace ServerDashboard.Tests.Metrics;

/// <summary>
/// A test that needs Debian's <c>prometheus</c> package (<c>promtool</c>, <c>prometheus</c>). Outside CI it is skipped,
/// saying so, when the tools are missing; in CI (CI=true, where .ci/run installs them) it always runs, so a missing
/// tool fails instead of hiding.
/// </summary>
public sealed class PromtoolFactAttribute : FactAttribute
{
    public PromtoolFactAttribute()
    {
        if (!PrometheusTools.Installed && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = "promtool/prometheus are not installed (apt-get install -y prometheus); CI installs them";
        }
    }
}

public static class PrometheusTools
{
    public const string Promtool = "/usr/bin/promtool";
    public const string Server = "/usr/bin/prometheus";

    public static bool Installed => File.Exists(Promtool) && File.Exists(Server);

    /// <summary><c>promtool check metrics</c> on <paramref name="exposition"/>: its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition)
    {
        var start = new ProcessStartInfo(Promtool, ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
