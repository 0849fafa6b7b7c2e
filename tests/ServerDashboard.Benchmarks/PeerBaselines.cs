using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ServerDashboard.Benchmarks;

/// <summary>
/// Runs the supervisord and PM2 benchmarks of tests/peers in the same invocation (when installed: run
/// tests/peers/setup.sh first) and prints our figures as ratios of theirs.
/// </summary>
public sealed partial class PeerBaselines(BenchmarkOptions options, BenchmarkReport report)
{
    [GeneratedRegex(@"^(?<key>[a-z_0-9A-Z]+)=(?<value>[0-9.]+)", RegexOptions.Multiline)]
    private static partial Regex KeyValue();

    public async Task RunAsync()
    {
        var n = options.Servers;
        if (await RunScriptAsync("bench-supervisord.sh", n) is { } supervisord)
        {
            Record("supervisord", supervisord, n);

        }

        if (await RunScriptAsync("bench-pm2.sh", n) is { } pm2)
        {
            Record("pm2", pm2, n);

        }
    }

    private void Record(string peer, Dictionary<string, double> values, int n)
    {
        foreach (var (key, value) in values)
        {
            var name = key switch
            {
                _ when key.StartsWith("all_", StringComparison.Ordinal) => $"{peer}: all {n} RUNNING",
                _ when key.Contains("_cpu_pct_over_", StringComparison.Ordinal) => $"{peer}: CPU",
                "stop_all_ms" => $"{peer}: stop all",
                _ => $"{peer}: {key}",
            };
            var unit = key.Contains("_kb", StringComparison.Ordinal) ? "kB"
                : key.Contains("pct", StringComparison.Ordinal) ? "%"
                : key.EndsWith("_ms", StringComparison.Ordinal) || key.StartsWith("all_", StringComparison.Ordinal) ? "ms"
                : "count";
            report.Add(name, value, unit);
        }
    }

    private async Task<Dictionary<string, double>?> RunScriptAsync(string script, int n)
    {
        var path = Path.Combine(options.PeersDirectory, script);
        if (!File.Exists(path))
        {
            Console.WriteLine($"{script}: not found in {options.PeersDirectory}; skipped");
            return null;
        }

        Console.WriteLine($"Running {script} {n} {options.CpuWindowSeconds} ...");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(options.CpuWindowSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // supervisord counts a program RUNNING only after startsecs (1 s by default): 0, so "all RUNNING" means all spawned, as ours.
        start.Environment["STARTSECS"] = "0";
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 || !output.Contains('='))
        {
            Console.WriteLine($"{script} failed or is not set up (run {Path.Combine(options.PeersDirectory, "setup.sh")}): {errors.Trim()}");
            return null;
        }

        return KeyValue().Matches(output).ToDictionary(m => m.Groups["key"].Value, m => double.Parse(m.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture));
    }
}
